// `npm run dev` as a new user starts it: the app and the embedded IdP, or one line saying why not.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../support/app";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { reachCallback } from "../../support/login";

const root = fileURLToPath(new URL("../../..", import.meta.url));
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

/** `node dev/dev.js`, what `npm run dev` runs, in a process group of its own (remix dev and remix-serve in it). */
function spawnDev(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["dev/dev.js"], {
    cwd: root,
    detached: true,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "development",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** Runs `npm run dev` until it exits by itself. */
function runDevUntilExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnDev(env);
  const timer = setTimeout(() => child.kill("SIGTERM"), 30_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
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

  it("when the embedded IdP's port is taken, naming IDP_PORT instead of a stack trace", async () => {
    const idpPort = await freePort();
    await occupy(idpPort);
    const { code, output } = await runDevUntilExit({ PORT: String(await freePort()), IDP_PORT: String(idpPort) });
    expect(code).toBe(1);
    expect(output).toBe(
      `npm run dev: port ${idpPort} (the embedded IdP's) is taken by another program: set IDP_PORT to a free port (IDP_PORT=${idpPort + 1} npm run dev), or KEYCLOAK_URL to use a Keycloak of yours\n`,
    );
  });

  it("when PORT is not a port number", async () => {
    const { code, output } = await runDevUntilExit({ PORT: "abc" });
    expect(code).toBe(1);
    expect(output).toBe('npm run dev: PORT must be a port number from 1 to 65535, got "abc"\n');
  });
});

/** The process ids of `pid` and everything it started, and what they started. */
function processTree(pid: number): number[] {
  const parents = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return null;
  }
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops `npm run dev` as a user would, by its process id; resolves once everything it started is gone. */
async function stopDev(child: ChildProcess): Promise<void> {
  const tree = processTree(child.pid!);
  if (child.exitCode === null) process.kill(child.pid!, "SIGTERM");
  try {
    // What is left, by command line, so a failure says which process outlived npm run dev.
    const left = () => tree.filter(isAlive).map((pid) => commandOf(pid) ?? pid);
    await expect.poll(left, { timeout: 20_000, interval: 100 }).toEqual([]);
  } finally {
    for (const pid of tree.filter(isAlive)) process.kill(pid, "SIGKILL");
  }
}

/** Resolves once a TCP connection to host:port opens (then closes it). */
function connectTo(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => {
      socket.end();
      resolve();
    });
    socket.once("error", reject);
  });
}

/** A file's hash, or null when it does not exist. */
const hashOf = (path: string) =>
  readFile(new URL(`../../../${path}`, import.meta.url)).then(
    (bytes) => createHash("sha256").update(bytes).digest("hex"),
    () => null,
  );

describe("npm run dev", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it("serves its own development build, leaving npm run build's untouched, and logs in with the embedded IdP", async () => {
    const productionBuild = await hashOf("build/index.js");
    const port = await freePort();
    const { child, output } = spawnDev({ PORT: String(port), IDP_PORT: String(await freePort()) });
    stop = () => stopDev(child);
    const app = `http://localhost:${port}`;
    await expect.poll(output, { timeout: 90_000, interval: 200 }).toContain(`[remix-serve] ${app}`);
    const idp = /Embedded IdP at (\S+) /.exec(output())![1]!;

    const jar = new CookieJar();
    // The redirect URI the IdP was given is the port the app is on.
    const callbackUrl = await reachCallback(jar, { app, idp });
    const callback = await browse(jar, callbackUrl);
    expect(callback.status).toBe(302);
    const home = await browse(jar, `${app}/`);
    expect(home.status).toBe(200);
    expect(textOf(await home.text())).toContain("Log out");

    // On loopback only, as the embedded IdP: not on this machine's other addresses.
    expect(output()).toContain(`[remix-serve] ${app} (http://127.0.0.1:${port})`);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address?.family === "IPv4" && !address.internal)?.address;
    if (external) await expect(connectTo(external, port)).rejects.toThrow(/ECONNREFUSED/);

    expect(await hashOf("build/index.js")).toBe(productionBuild);
    expect(await readFile(new URL("../../../.cache/dev-build/index.js", import.meta.url), "utf8")).toContain("jsxDEV");
  }, 120_000);
});
