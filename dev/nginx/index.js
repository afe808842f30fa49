// A real nginx in front of the app, for the proxy tests: Debian's nginx binary
// (installed, or unpacked from Debian's package into .cache/nginx/ without
// installing it, so no system service is ever started), run with a config of
// our own on loopback ports.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cache = join(root, ".cache", "nginx");
const unpacked = join(cache, "root", "usr", "sbin", "nginx");

/** The nginx binary to run, or `null`: NGINX_PATH, an installed nginx, or the one unpacked by `fetchNginx`. */
export function findNginx() {
  const candidates = [process.env.NGINX_PATH, "/usr/sbin/nginx", unpacked].filter(Boolean);
  return (
    candidates.find((path) => existsSync(path) && spawnSync(path, ["-v"], { stdio: "ignore" }).status === 0) ?? null
  );
}

/**
 * Unpacks Debian's `nginx` package into .cache/nginx/ (`apt-get download`,
 * `dpkg -x`): its libraries (OpenSSL, PCRE2, zlib) are in every Debian. Not
 * `apt-get install`, whose post-install script may start nginx on port 80.
 */
export function fetchNginx(log = console.log) {
  if (findNginx()) return findNginx();
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const download = () => spawnSync("apt-get", ["download", "-q", "nginx"], { cwd: cache, stdio: "inherit" }).status;
  log("Fetching Debian's nginx package (apt-get download nginx)…");
  // A fresh machine may have no package lists yet.
  if (
    download() !== 0 &&
    (spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" }).status !== 0 || download() !== 0)
  )
    throw new Error("apt-get could not download the nginx package");
  const deb = readdirSync(cache).find((name) => name.startsWith("nginx_") && name.endsWith(".deb"));
  if (!deb || spawnSync("dpkg", ["-x", deb, "root"], { cwd: cache, stdio: "inherit" }).status !== 0)
    throw new Error(`could not unpack the nginx package in ${cache}`);
  const nginx = findNginx();
  if (!nginx) throw new Error(`${unpacked} does not run`);
  return nginx;
}

/**
 * nginx in the foreground with `config` (the `http` block's content) under
 * `dir`, which also holds its pid, temporary files and logs. Resolves once it
 * accepts connections on `port`.
 */
export async function startNginx({ config, dir, port }) {
  const nginx = findNginx();
  if (!nginx) throw new Error("no nginx: run `node dev/nginx/cli.js` (or apt-get install nginx)");
  for (const folder of ["temp", "logs"]) mkdirSync(join(dir, folder), { recursive: true });
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    [
      "daemon off;",
      "master_process off;",
      `pid ${join(dir, "nginx.pid")};`,
      `error_log ${join(dir, "logs", "error.log")} info;`,
      "events { worker_connections 64; }",
      "http {",
      `  access_log ${join(dir, "logs", "access.log")};`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
        (kind) => `  ${kind}_temp_path ${join(dir, "temp", kind)};`,
      ),
      config,
      "}",
      "",
    ].join("\n"),
  );
  const child = spawn(nginx, ["-p", dir, "-c", conf, "-e", join(dir, "logs", "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`);
    if (await accepts(port)) return { stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`nginx did not listen on ${port} within 20 s: ${stderr}`);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
