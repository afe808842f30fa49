// `npm run dev`: the app in watch mode. Without KEYCLOAK_URL it also starts the
// embedded Keycloak-compatible IdP, so nobody needs a Keycloak server to try it.
import { spawn } from "node:child_process";
import { accessTokenTtlFromEnv, startIdp } from "./idp/index.js";

const env = { ...process.env };
env.APP_URL ??= "http://localhost:3000";
env.KEYCLOAK_REALM ??= "demo";
env.KEYCLOAK_CLIENT_ID ??= "remix-app";

let idp;
if (!env.KEYCLOAK_URL) {
  env.KEYCLOAK_CLIENT_SECRET ??= "dev-secret";
  idp = await startIdp({
    port: Number(env.IDP_PORT ?? 8080),
    // e.g. 30, to watch the app renew access tokens; default 300 (Keycloak's).
    accessTokenTtl: accessTokenTtlFromEnv(env.IDP_ACCESS_TOKEN_TTL),
    realms: {
      [env.KEYCLOAK_REALM]: {
        clients: [
          {
            clientId: env.KEYCLOAK_CLIENT_ID,
            clientSecret: env.KEYCLOAK_CLIENT_SECRET,
            redirectUris: [`${env.APP_URL}/auth/${env.KEYCLOAK_REALM}/callback`],
            postLogoutRedirectUris: [`${env.APP_URL}/`, `${env.APP_URL}/logout/callback`],
          },
        ],
      },
    },
  });
  env.KEYCLOAK_URL = idp.url;
  console.log(`Embedded IdP at ${idp.url}/realms/${env.KEYCLOAK_REALM} (user demo, password demo)`);
}

const remix = spawn(process.execPath, ["node_modules/@remix-run/dev/dist/cli.js", "dev", "--command", "node node_modules/@remix-run/serve/dist/cli.js build/index.js"], {
  env: { ...env, VITE_CJS_IGNORE_WARNING: "true" },
  stdio: "inherit",
});

async function shutDown(code) {
  remix.kill("SIGTERM");
  await idp?.close();
  process.exit(code);
}
remix.on("exit", (code) => shutDown(code ?? 0));
process.on("SIGINT", () => shutDown(0));
process.on("SIGTERM", () => shutDown(0));
