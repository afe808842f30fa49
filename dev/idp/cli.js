#!/usr/bin/env node
// `npm run idp`: the dev IdP on its own, with the realms and client the app's
// environment names (the same as `npm run dev` starts).
import { devRealms } from "./app-client.js";
import { accessTokenTtlFromEnv, DEFAULT_USERS, startIdp } from "./index.js";

const realms = devRealms(process.env);
const idp = await startIdp({
  port: Number(process.env.IDP_PORT || 8080),
  host: "127.0.0.1",
  // e.g. 30, to watch the app renew access tokens; default 300 (Keycloak's).
  accessTokenTtl: accessTokenTtlFromEnv(process.env.IDP_ACCESS_TOKEN_TTL),
  realms,
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
