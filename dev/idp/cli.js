#!/usr/bin/env node
// `npm run idp`: the dev IdP on its own, with the realms and clients the app's
// environment names (the same as `npm run dev` starts), for the app at its
// APP_URL (else http://localhost:${PORT}).
import { portFrom } from "../app-env.js";
import { devRealms } from "./app-client.js";
import { accessTokenTtlFromEnv, DEFAULT_USERS, startIdp } from "./index.js";

/** One line instead of a stack trace, then exit 1, as `npm run dev` does. */
function refuse(message) {
  console.error(`npm run idp: ${message}`);
  process.exit(1);
}

let port, realms;
try {
  port = portFrom(process.env, "IDP_PORT", 8080);
  realms = devRealms(process.env, `http://127.0.0.1:${port}`);
} catch (error) {
  refuse(error instanceof Error ? error.message : String(error));
}
const idp = await startIdp({
  port,
  host: "127.0.0.1",
  // e.g. 30, to watch the app renew access tokens; default 300 (Keycloak's).
  accessTokenTtl: accessTokenTtlFromEnv(process.env.IDP_ACCESS_TOKEN_TTL),
  realms,
}).catch((error) => {
  if (error.code !== "EADDRINUSE") throw error;
  return refuse(
    `port ${port} is taken by another program: stop it, or set IDP_PORT to a free port (IDP_PORT=${port + 1} npm run idp, and KEYCLOAK_URL=http://127.0.0.1:${port + 1} for the app)`,
  );
});

const demo = DEFAULT_USERS[0];
console.log(
  `Dev IdP listening on ${idp.url} (realms: ${Object.keys(realms).join(", ")}); sign in as ${demo.username} / ${demo.password}`,
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
