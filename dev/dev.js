// `npm run dev`: the app in watch mode. Without KEYCLOAK_URL it also starts the
// embedded Keycloak-compatible IdP, so nobody needs a Keycloak server to try it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { portFrom } from "./app-env.js";
import { isFree } from "./free-port.js";
import { devRealms, DEV_CLIENT_SECRET } from "./idp/app-client.js";
import { accessTokenTtlFromEnv, startIdp } from "./idp/index.js";

/** One line instead of a stack trace, then exit 1, as the app does for its configuration. */
function refuse(message) {
  console.error(`npm run dev: ${message}`);
  process.exit(1);
}

/** `value()`, or its error's one line and exit 1. */
function orRefuse(value) {
  try {
    return value();
  } catch (error) {
    return refuse(error instanceof Error ? error.message : String(error));
  }
}

const env = { ...process.env };
// The app's port is chosen here, not by remix-serve (which takes any free port when PORT's is busy), so that
// APP_URL, the redirect URIs registered at the embedded IdP and the server agree.
const port = orRefuse(() => portFrom(env, "PORT", 3000));
// Loopback only, like the embedded IdP: the app runs with a development-only session secret.
env.HOST ||= "127.0.0.1";
if (!(await isFree(port, env.HOST)))
  refuse(
    `port ${port} is taken by another program: stop it, or set PORT to a free port (PORT=${port + 1} npm run dev)`,
  );
env.PORT = String(port);
env.APP_URL ||= `http://localhost:${port}`;
env.KEYCLOAK_REALM ??= "demo";
env.KEYCLOAK_CLIENT_ID ??= "remix-app";

let idp;
if (!env.KEYCLOAK_URL) {
  env.KEYCLOAK_CLIENT_SECRET ||= DEV_CLIENT_SECRET;
  const idpPort = orRefuse(() => portFrom(env, "IDP_PORT", 8080));
  const realms = orRefuse(() => devRealms(env, `http://127.0.0.1:${idpPort}`));
  idp = await startIdp({
    port: idpPort,
    host: "127.0.0.1",
    // e.g. 30, to watch the app renew access tokens; default 300 (Keycloak's).
    accessTokenTtl: accessTokenTtlFromEnv(env.IDP_ACCESS_TOKEN_TTL),
    realms,
  }).catch((error) => {
    if (error.code !== "EADDRINUSE") throw error;
    return refuse(
      `port ${idpPort} (the embedded IdP's) is taken by another program: set IDP_PORT to a free port (IDP_PORT=${idpPort + 1} npm run dev), or KEYCLOAK_URL to use a Keycloak of yours`,
    );
  });
  env.KEYCLOAK_URL = idp.url;
  console.log(`Embedded IdP at ${idp.url} (realms: ${Object.keys(realms).join(", ")}; user demo, password demo)`);
}

// In a process group of its own, with what it starts (remix-serve, esbuild), so that stopping `npm run dev` by
// its process id stops them all. remix dev stops remix-serve with one SIGTERM, on which remix-serve in
// development only closes its listener (its file watcher keeps it running): seen outliving npm run dev.
const remix = spawn(
  process.execPath,
  [
    "node_modules/@remix-run/dev/dist/cli.js",
    "dev",
    "--command",
    // remix.config.js's development build, never build/ (npm start's).
    "node node_modules/@remix-run/serve/dist/cli.js .cache/dev-build/index.js",
  ],
  {
    detached: true,
    env: { ...env, VITE_CJS_IGNORE_WARNING: "true" },
    stdio: "inherit",
  },
);

function signalRemix(signal) {
  try {
    process.kill(-remix.pid, signal);
  } catch {
    // already gone
  }
}

let stopping = false;
async function shutDown(code) {
  if (stopping) return;
  stopping = true;
  signalRemix("SIGTERM");
  if (remix.exitCode === null && remix.signalCode === null)
    await Promise.race([once(remix, "exit"), new Promise((resolve) => setTimeout(resolve, 5_000))]);
  signalRemix("SIGKILL");
  await idp?.close();
  process.exit(code);
}
remix.on("exit", (code) => shutDown(code ?? 0));
process.on("SIGINT", () => shutDown(0));
process.on("SIGTERM", () => shutDown(0));
