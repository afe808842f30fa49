#!/usr/bin/env node
// `npm run keycloak`: a real Keycloak with our realms, until Ctrl-C, their
// clients pointed at the app of APP_URL, else PORT (http://localhost:3000).
// KEYCLOAK_VERSION picks another version; KEYCLOAK_PORT a fixed port.
import { portFrom } from "../app-env.js";
import { appCommands, appFor } from "./app-command.js";
import { ADMIN, missingTools, PINNED_VERSION, startKeycloak } from "./index.js";

/** One line instead of a stack trace, then exit 1. */
function refuse(message) {
  console.error(`npm run keycloak: ${message}`);
  process.exit(1);
}

const missing = missingTools();
if (missing) refuse(`${missing}, then run npm run keycloak again.`);

let app, port;
try {
  app = appFor(process.env);
  if (process.env.KEYCLOAK_PORT) port = portFrom(process.env, "KEYCLOAK_PORT", 8080);
} catch (error) {
  refuse(error instanceof Error ? error.message : String(error));
}

const version = process.env.KEYCLOAK_VERSION || PINNED_VERSION;
console.log(`Starting Keycloak ${version} (the first start builds it and can take a few minutes)…`);
let keycloak;
try {
  keycloak = await startKeycloak({ version, appUrl: app.url, ...(port && { port }) });
} catch (error) {
  refuse(error instanceof Error ? error.message : String(error));
}

const run = appCommands(keycloak.url, app);
console.log(`
Keycloak ${version} is up at ${keycloak.url} (started in ${(keycloak.startMs / 1000).toFixed(0)} s; in memory: stopping it forgets every change).
  Admin console: ${keycloak.url}/admin/  (${ADMIN.username} / ${ADMIN.password})
  Realms: demo (users demo/demo and big/big, client remix-app) and acme (demo/demo, client acme-portal);
          both client secrets are change-me-in-keycloak-credentials-tab. Both clients send the browser back
          to ${app.url} (APP_URL, else PORT, when npm run keycloak started: set them to change it).
  Run the app against it, in another terminal, from this directory:
    ${run.environment.join("\n    ")}
    ${run.dev}
  or its production build:
    ${run.production.join("\n    ")}
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
