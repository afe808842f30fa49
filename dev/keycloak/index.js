// Real Keycloak for development and tests: the server distribution from the
// Maven registry, unpacked once into .cache/keycloak/<version>/, started in dev
// mode on a loopback port with our realm files imported.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { freePort, isFree } from "../free-port.js";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The newest version the Maven registry served when this was pinned. */
export const PINNED_VERSION = "26.7.3";
export const root = fileURLToPath(new URL("../..", import.meta.url));
/** The realm files users import; `--import-realm` loads the same ones. */
export const REALM_FILES = ["keycloak/realm-export.json", "keycloak/realm-acme.json"].map((file) => join(root, file));
export const ADMIN = { username: "admin", password: "admin" };

/**
 * The realm files as imported for the app at `appUrl`: each client's Root URL
 * (`rootUrl`, to which the files' redirect, post-logout and back-channel URLs
 * are relative) is the app's origin, and so is its front-channel logout URL's,
 * which Keycloak does not resolve against the Root URL (a relative one is
 * loaded from Keycloak's own origin). Without `appUrl`, the files as they are.
 * @param {string | undefined} appUrl  e.g. "http://localhost:3000"
 * @param {string[]} [files]
 * @returns {{ file: string, realm: { realm: string, clients?: Record<string, any>[] } }[]}
 */
export function realmsForApp(appUrl, files = REALM_FILES) {
  return files.map((file) => {
    const realm = JSON.parse(readFileSync(file, "utf8"));
    for (const client of realm.clients ?? []) {
      if (!appUrl) continue;
      if (client.rootUrl) client.rootUrl = appUrl;
      const frontchannel = client.attributes?.["frontchannel.logout.url"];
      if (frontchannel) client.attributes["frontchannel.logout.url"] = `${appUrl}${new URL(frontchannel).pathname}`;
    }
    return { file: basename(file), realm };
  });
}

const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

/** Which tool is missing, with what to install; `null` when java and mvn are both there. */
export function missingTools() {
  const missing = [];
  if (spawnSync("java", ["-version"], { stdio: "ignore" }).error)
    missing.push("java (apt-get install openjdk-17-jre-headless)");
  if (spawnSync("mvn", ["-v"], { stdio: "ignore" }).error) missing.push("mvn (apt-get install maven)");
  return missing.length ? `Keycloak needs ${missing.join(" and ")}` : null;
}

/** Fetches (Maven caches it in ~/.m2) and unpacks the distribution once; returns its folder. */
export function ensureDistribution(version = PINNED_VERSION, log = console.log) {
  const cache = join(root, ".cache", "keycloak", version);
  const home = join(cache, `keycloak-${version}`);
  if (existsSync(join(home, "bin", "kc.sh"))) return home;

  const zip = join(
    homedir(),
    ".m2/repository/org/keycloak/keycloak-quarkus-dist",
    version,
    `keycloak-quarkus-dist-${version}.zip`,
  );
  if (!existsSync(zip)) {
    log(`Fetching Keycloak ${version} with Maven…`);
    const artifact = `org.keycloak:keycloak-quarkus-dist:${version}:zip`;
    const fetched = spawnSync(
      "mvn",
      ["-q", "-B", `${DEPENDENCY_PLUGIN}:get`, `-Dartifact=${artifact}`, "-Dtransitive=false"],
      {
        stdio: "inherit",
      },
    );
    if (fetched.status !== 0 || !existsSync(zip)) throw new Error(`Maven could not fetch ${artifact}`);
  }
  log(`Unpacking ${basename(zip)} into ${cache}…`);
  // Unpacked beside the target and renamed, so an interrupted unpack is never taken for a complete one.
  const partial = `${cache}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const unzip = spawnSync("python3", ["-m", "zipfile", "-e", zip, partial], { stdio: "inherit" });
  if (unzip.status !== 0) throw new Error(`could not unpack ${zip} (python3 -m zipfile)`);
  mkdirSync(join(root, ".cache", "keycloak"), { recursive: true });
  try {
    renameSync(partial, cache);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(home, "bin", "kc.sh"))) throw error; // else another run unpacked it first
  }
  return home;
}

/**
 * Starts Keycloak in dev mode on 127.0.0.1 with an in-memory database (nothing
 * survives a stop, so every start imports the realm files afresh) and waits
 * until `GET /realms/master` answers 200. With `appUrl`, the realms' clients
 * send the browser back to that app (`realmsForApp`); without, to the files' own.
 * @param {{ version?: string, port?: number, realmFiles?: string[], appUrl?: string, timeoutMs?: number, log?: (line: string) => void }} [options]
 */
export async function startKeycloak(options = {}) {
  const {
    version = PINNED_VERSION,
    realmFiles = REALM_FILES,
    appUrl,
    timeoutMs = 300_000,
    log = console.log,
  } = options;
  const missing = missingTools();
  if (missing) throw new Error(missing);
  const home = ensureDistribution(version, log);
  const importDir = join(home, "data", "import");
  mkdirSync(importDir, { recursive: true });
  for (const { file, realm } of realmsForApp(appUrl, realmFiles))
    writeFileSync(join(importDir, file), JSON.stringify(realm, null, 2));

  // A port already taken would have the readiness check below talk to someone else's server.
  if (options.port !== undefined && !(await isFree(options.port)))
    throw new Error(`port ${options.port} is already in use`);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = spawn(
    "bash",
    ["bin/kc.sh", "start-dev", `--http-port=${port}`, "--http-host=127.0.0.1", "--import-realm", "--db=dev-mem"],
    {
      cwd: home,
      // Its own process group: kc.sh execs java, and a stop must reach it.
      detached: true,
      env: {
        ...process.env,
        KC_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
        // Keycloak before 26 reads the admin from these instead.
        ...(Number(version.split(".")[0]) < 26 && {
          KEYCLOAK_ADMIN: ADMIN.username,
          KEYCLOAK_ADMIN_PASSWORD: ADMIN.password,
        }),
        // Other management/health listeners would need ports of their own.
        KC_HEALTH_ENABLED: "false",
        KC_METRICS_ENABLED: "false",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk).slice(-200_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const tail = (lines = 40) => output.trimEnd().split("\n").slice(-lines).join("\n");

  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const signal = (name) => {
        try {
          process.kill(-child.pid, name);
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => signal("SIGKILL"), 20_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      signal("SIGTERM");
    });

  const deadline = started + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Keycloak exited with ${child.exitCode}. Its log ends with:\n${tail()}`);
    try {
      if ((await fetch(`${url}/realms/master`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Keycloak did not answer within ${timeoutMs / 1000} s. Its log ends with:\n${tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { url, port, version, home, pid: child.pid, startMs: Date.now() - started, output: () => output, tail, stop };
}
