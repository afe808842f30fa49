import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { logIn, sessionCookies } from "./login.js";
import { load } from "./measure.js";
import { APP_CLIENT, SESSION_SECRET, startIdentityProvider } from "./servers.js";
const { idp, appUrl } = await startIdentityProvider();
const out = openSync("/tmp/gc.txt", "w");
const child = spawn(process.execPath, [...JSON.parse(process.argv[2]), "node_modules/@remix-run/serve/dist/cli.js", "build/index.js"], {
  env: { PATH: process.env.PATH, NODE_ENV: "production", PORT: new URL(appUrl).port, HOST: "127.0.0.1", APP_URL: appUrl, KEYCLOAK_URL: idp.url, KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: APP_CLIENT.clientId, KEYCLOAK_CLIENT_SECRET: APP_CLIENT.clientSecret, SESSION_SECRET }, stdio: ["ignore", out, out] });
while (!(await fetch(`${appUrl}/healthz`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 100));
const { callback } = await logIn({ loginUrl: `${appUrl}/auth/demo/login`, idpUrl: idp.url });
const cookie = sessionCookies(callback, "__session").join("; ");
await load({ url: `${appUrl}/`, headers: { cookie }, seconds: 10, pid: child.pid });
child.kill(); await idp.close();
