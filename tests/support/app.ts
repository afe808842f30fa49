import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export const TEST_SESSION_SECRET = "test-session-secret-0123456789abcdef";
export const TEST_CLIENT = { clientId: "remix-app", clientSecret: "test-client-secret" };

export { freePort } from "../../dev/free-port.js";

/**
 * The React Router 7 app of tests/react-router-app (`npm run build:react-router` first), served by
 * react-router-serve: the same auth module as the Remix app, behind React Router's adapter.
 */
export const REACT_ROUTER_APP = {
  cwd: `${root}/tests/react-router-app`,
  serve: [`${root}/node_modules/@react-router/serve/bin.js`, "build/server/index.js"],
};

export interface RunningApp {
  url: string;
  port: number;
  /** The server's process id (npm's, with `viaNpm`). */
  pid: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Settles when the server's process has ended, however it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * The production build (`npm run build` first) served by remix-serve, as
 * `npm start` does; `viaNpm` runs `npm start` itself.
 */
export async function startApp({
  port,
  env,
  viaNpm = false,
  cwd = root,
  readyPath = "/healthz",
  serve = [`${root}/node_modules/@remix-run/serve/dist/cli.js`, "build/index.js"],
}: {
  port: number;
  env: Record<string, string>;
  viaNpm?: boolean;
  /** Another app's folder, with its own `build/`. */
  cwd?: string;
  /** A page that answers 200 once the server is up. */
  readyPath?: string;
  /** The server's script and arguments, run by Node in `cwd`: remix-serve and the build by default. */
  serve?: string[];
}): Promise<RunningApp> {
  const url = `http://localhost:${port}`;
  const [command, args] = viaNpm ? ["npm", ["start", "--silent"]] : [process.execPath, serve];
  const child = spawn(command, args, {
    cwd,
    // Its own process group, so that stopping it also stops what npm started.
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "localhost",
      APP_URL: url,
      SESSION_SECRET: TEST_SESSION_SECRET,
      KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
      KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  await waitForStart(child, () => output, `${url}${readyPath}`);
  return {
    url,
    port,
    pid: child.pid!,
    output: () => output,
    exited,
    stop: () => stopProcess(child),
  };
}

async function waitForStart(child: ChildProcess, output: () => string, readyUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(readyUrl);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopProcess(child);
  throw new Error(`app did not start within 20 s:\n${output()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      signal("SIGTERM"); // npm's child, if npm went first
      resolve();
    });
    signal("SIGTERM");
  });
}
