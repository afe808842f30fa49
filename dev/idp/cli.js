#!/usr/bin/env node
// Runs the dev IdP for local development: `node dev/idp/cli.js`.
import { accessTokenTtlFromEnv, DEFAULT_USERS, startIdp } from "./index.js";

const env = process.env;
const appUrl = (env.APP_URL || "http://localhost:3000").replace(/\/+$/, "");
const realmNames = [
  ...new Set([env.KEYCLOAK_REALM || "demo", ...(env.KEYCLOAK_REALMS ?? "").split(",")].map((r) => r.trim()).filter(Boolean)),
];

const idp = await startIdp({
  port: Number(env.IDP_PORT || 8080),
  host: "127.0.0.1",
  // e.g. 30, to watch the app renew access tokens; default 300 (Keycloak's).
  accessTokenTtl: accessTokenTtlFromEnv(env.IDP_ACCESS_TOKEN_TTL),
  realms: Object.fromEntries(
    realmNames.map((realm) => [
      realm,
      {
        clients: [
          {
            clientId: env.KEYCLOAK_CLIENT_ID || "remix-app",
            clientSecret: env.KEYCLOAK_CLIENT_SECRET ?? "dev-secret",
            redirectUris: [`${appUrl}/auth/${realm}/callback`],
            postLogoutRedirectUris: [`${appUrl}/`, `${appUrl}/logout/callback`],
          },
        ],
      },
    ]),
  ),
});

const demo = DEFAULT_USERS[0];
console.log(
  `Dev IdP listening on ${idp.url} (realms: ${realmNames.join(", ")}); sign in as ${demo.username} / ${demo.password}`,
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
