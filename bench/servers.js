// Everything the benchmark runs against, on loopback: the embedded IdP (in this
// process), the app's production build and the express-openid-connect peer
// (each a child process, stdout to /dev/null).
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../dev/free-port.js";
import { startIdp } from "../dev/idp/index.js";

export const root = fileURLToPath(new URL("..", import.meta.url));
const HOST = "127.0.0.1";
export const SESSION_SECRET = "bench-session-secret-0123456789abcdef-0123";
export const APP_CLIENT = { clientId: "remix-app", clientSecret: "bench-app-secret" };
export const PEER_CLIENT = { clientId: "eoc-peer", clientSecret: "bench-peer-secret" };
/** The peer with back-channel logout on (the round trips), a client of its own. */
export const PEER_BACKCHANNEL_CLIENT = { clientId: "eoc-peer-backchannel", clientSecret: "bench-peer-bc-secret" };

/** `npm run build` when build/ is missing or older than the sources. */
export function buildIfStale() {
  const built = (() => {
    try {
      return statSync(join(root, "build/index.js")).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = ["app", "remix.config.js", "package.json", "tsconfig.json"].map((path) =>
    newestMtime(join(root, path)),
  );
  if (built > Math.max(...sources)) return false;
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return true;
}

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * The IdP with both apps registered as clients of realm `demo`, and the URLs
 * the apps will listen at.
 */
export async function startIdentityProvider() {
  const [appPort, peerPort] = [await freePort(), await freePort()];
  const appUrl = `http://${HOST}:${appPort}`;
  const peerUrl = `http://${HOST}:${peerPort}`;
  const idp = await startIdp({
    realms: {
      demo: {
        clients: [
          {
            ...APP_CLIENT,
            redirectUris: [`${appUrl}/auth/demo/callback`],
            postLogoutRedirectUris: [`${appUrl}/`, `${appUrl}/logout/callback`],
          },
          { ...PEER_CLIENT, redirectUris: [`${peerUrl}/callback`], postLogoutRedirectUris: [peerUrl, `${peerUrl}/`] },
        ],
      },
    },
  });
  return { idp, appUrl, peerUrl };
}

/**
 * The app's production server, as `npm start` runs it; `nodeArgs` e.g. for --cpu-prof, `env` added; `onStdout`
 * gets its output (the access log and the module's log lines), else /dev/null does.
 */
export function startApp({ url, idp, nodeArgs = [], env = {}, onStdout }) {
  const { port } = new URL(url);
  return startChild(
    "app",
    [...nodeArgs, "node_modules/@remix-run/serve/dist/cli.js", "build/index.js"],
    url,
    {
      NODE_ENV: "production",
      PORT: port,
      HOST,
      APP_URL: url,
      KEYCLOAK_URL: idp.url,
      KEYCLOAK_REALM: "demo",
      KEYCLOAK_CLIENT_ID: APP_CLIENT.clientId,
      KEYCLOAK_CLIENT_SECRET: APP_CLIENT.clientSecret,
      SESSION_SECRET,
      ...env,
    },
    onStdout,
  );
}

/** The app's logout: the form post of its "Log out" button, same-origin. */
export const appLogoutRequest = (url, cookie) => ({
  url: `${url}/logout`,
  method: "POST",
  headers: { cookie, origin: url, "content-type": "application/x-www-form-urlencoded" },
  body: "",
});

/**
 * The peer; `backchannel`: as the client PEER_BACKCHANNEL_CLIENT, taking back-channel logouts at
 * /backchannel-logout (and writing a line per answer to stdout, which `onStdout` gets).
 */
export function startPeer({ url, idp, backchannel = false, onStdout }) {
  const { port } = new URL(url);
  const client = backchannel ? PEER_BACKCHANNEL_CLIENT : PEER_CLIENT;
  return startChild(
    "peer",
    ["bench/peer.js"],
    url,
    {
      NODE_ENV: "production",
      PORT: port,
      HOST,
      BASE_URL: url,
      ISSUER: idp.issuer("demo"),
      CLIENT_ID: client.clientId,
      CLIENT_SECRET: client.clientSecret,
      SESSION_SECRET,
      ...(backchannel && { BACKCHANNEL: "1" }),
    },
    onStdout,
  );
}

/** A node child process serving `url`, ready once `/healthz` answers. */
async function startChild(name, args, url, env, onStdout) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    // The access log (one line per request) goes to /dev/null unless asked for; stderr is kept for errors.
    stdio: ["ignore", onStdout ? "pipe" : "ignore", "pipe"],
  });
  child.stdout?.setEncoding("utf8").on("data", onStdout);
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-10_000)));
  const running = {
    name,
    url,
    pid: child.pid,
    stderr: () => stderr,
    stop: () => stopProcess(child),
    kill: () => child.kill("SIGKILL"),
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${stderr}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await running.stop();
  throw new Error(`${name} did not start within 20 s:\n${stderr}`);
}

/** SIGTERM (the servers close, and --cpu-prof writes its profile), SIGKILL after 10 s. */
function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Resident set size of a process in bytes (Linux), or 0 once it is gone. */
export function rssOf(pid) {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in µs (Linux, 100 ticks per second). */
export function cpuTimeOf(pid) {
  try {
    // Fields after the ")" closing the command name: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}
