#!/usr/bin/env node
// `npm run keycloak`: a real Keycloak with our realms, until Ctrl-C.
// KEYCLOAK_VERSION picks another version; KEYCLOAK_PORT a fixed port.
import { ADMIN, missingTools, PINNED_VERSION, startKeycloak } from "./index.js";

const missing = missingTools();
if (missing) {
  console.error(`${missing}, then run npm run keycloak again.`);
  process.exit(1);
}

const version = process.env.KEYCLOAK_VERSION || PINNED_VERSION;
console.log(`Starting Keycloak ${version} (the first start builds it and can take a few minutes)…`);
let keycloak;
try {
  keycloak = await startKeycloak({
    version,
    ...(process.env.KEYCLOAK_PORT && { port: Number(process.env.KEYCLOAK_PORT) }),
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

console.log(`
Keycloak ${version} is up at ${keycloak.url} (started in ${(keycloak.startMs / 1000).toFixed(0)} s; in memory: stopping it forgets every change).
  Admin console: ${keycloak.url}/admin/  (${ADMIN.username} / ${ADMIN.password})
  Realms: demo (users demo/demo and big/big, client remix-app) and acme (demo/demo, client acme-portal);
          both client secrets are change-me-in-keycloak-credentials-tab.
  Run the app against it:
    KEYCLOAK_URL=${keycloak.url} KEYCLOAK_REALM=demo KEYCLOAK_CLIENT_ID=remix-app \\
    KEYCLOAK_CLIENT_SECRET=change-me-in-keycloak-credentials-tab npm run dev
Ctrl-C stops it.`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log("Stopping Keycloak…");
    await keycloak.stop();
    process.exit(0);
  });
}
