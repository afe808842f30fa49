// `npm run dev` as a new user starts it: what it says when it cannot start.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/app";

const root = fileURLToPath(new URL("../..", import.meta.url));
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Another program holding `port` on loopback. */
async function occupy(port: number): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
}

/** Runs `node dev/dev.js` (what `npm run dev` runs) until it exits by itself. */
function runDevUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["dev/dev.js"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "development",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

describe("npm run dev refuses to start, in one line naming the variable", () => {
  it("when the app's port is taken, instead of moving the app to another port than APP_URL's", async () => {
    const port = await freePort();
    await occupy(port);
    const { code, output } = await runDevUntilExit({ PORT: String(port), IDP_PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toBe(
      `npm run dev: port ${port} is taken by another program: stop it, or set PORT to a free port (PORT=${port + 1} npm run dev)\n`,
    );
  });

  it("when PORT is not a port number", async () => {
    const { code, output } = await runDevUntilExit({ PORT: "abc" });
    expect(code).toBe(1);
    expect(output).toBe('npm run dev: PORT must be a port number from 1 to 65535, got "abc"\n');
  });
});
