// docs/DEPLOY.md's /etc/remix-app/env, read by the doctor's `sh` one-liner as
// written there, and the guide's short version, pasted as written.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { TEST_SESSION_SECRET } from "../../support/app";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const guide = readFileSync(new URL("../../../docs/DEPLOY.md", import.meta.url), "utf8");
const envFile = /```ini\n(# \/etc\/remix-app\/env[^]*?)```/.exec(guide)![1]!;
const oneLiner = /# or: sudo (sh -c '.*')/.exec(guide)![1]!;
/** The "short version": the guide's first shell block. */
const shortVersion = /The short version[^\n]*\n\n```sh\n([^]*?)```/.exec(guide)![1]!;
/** Every shell block after it: the full sections. */
const fullSections = [...guide.slice(guide.indexOf(shortVersion) + shortVersion.length).matchAll(/```sh\n([^]*?)```/g)]
  .map((block) => block[1]!)
  .join("\n");

/** The commands of a shell block: each line without its comment, `a && b` as two; "# or: …" alternatives count. */
function commandsOf(block: string): string[] {
  return block
    .split("\n")
    .map((line) =>
      line
        .replace(/^# or: /, "")
        .replace(/\s+#\s.*$/, "")
        .trim(),
    )
    .filter((line) => line && !line.startsWith("#"))
    .flatMap((line) => line.split(" && "));
}

/** `contents` written to a file of its own; `use` gets its path, which is removed afterwards. */
async function withEnvFile<T>(contents: string, use: (file: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "env-file-"));
  try {
    const file = join(dir, "env");
    writeFileSync(file, contents);
    return await use(file);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** What `sh -c 'set -a; . <file>; …'` puts in the environment for `contents`. */
function sourced(contents: string): Promise<Record<string, string>> {
  return withEnvFile(contents, (file) => {
    const script = /'(.*)'/
      .exec(oneLiner)![1]!
      .replace("/etc/remix-app/env", file)
      .replace("exec npm run doctor", `exec "${process.execPath}" -e 'console.log(JSON.stringify(process.env))'`);
    return JSON.parse(
      execFileSync("sh", ["-c", script], { env: { PATH: "/usr/bin:/bin", NODE_ENV: "production" }, encoding: "utf8" }),
    );
  });
}

describe("DEPLOY.md's env file", () => {
  it("gives the doctor's sh one-liner every value as written, a quoted one with a space too", async () => {
    const env = await sourced(envFile);
    expect(env).toMatchObject({
      APP_URL: "https://app.example.com",
      KEYCLOAK_REALM: "demo",
      KEYCLOAK_REALM_DEMO_LABEL: "Demo Corp",
      SESSION_SECRET: "paste-the-output-of-openssl-rand-base64-48",
    });
  });
});

describe("DEPLOY.md's short version", () => {
  it("is commands of the full sections, as written there", () => {
    const full = new Set(commandsOf(fullSections));
    expect(commandsOf(shortVersion).filter((command) => !full.has(command))).toEqual([]);
  });

  it("runs the doctor with the env file it has you edit: every check passes for a Keycloak set up as the file says", async () => {
    const doctorLine = commandsOf(shortVersion).find((command) => command.includes("doctor"));
    expect(doctorLine).toBeDefined();
    // The values a user fills in: their Keycloak (here the embedded IdP, its client as the file names it) and a real secret.
    const secret = /^KEYCLOAK_CLIENT_SECRET=(.*)$/m.exec(envFile)![1]!;
    const idp = await startIdp({
      realms: {
        demo: {
          clients: [appClient("https://app.example.com", "demo", { clientId: "remix-app", clientSecret: secret })],
        },
      },
    });
    try {
      const filled = envFile
        .replace("KEYCLOAK_URL=https://sso.example.com", `KEYCLOAK_URL=${idp.url}`)
        .replace(/^SESSION_SECRET=.*$/m, `SESSION_SECRET=${TEST_SESSION_SECRET}`);
      const { code, output } = await withEnvFile(filled, (file) =>
        runShell(doctorLine!.replace(/^sudo /, "").replaceAll("/etc/remix-app/env", file)),
      );
      expect(output).toMatch(/All \d+ checks passed\./);
      expect(code, output).toBe(0);
    } finally {
      await idp.close();
    }
  });
});

/** A command line as a user's shell in the checkout runs it, without the test's environment (PATH and HOME aside). */
function runShell(command: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      ["-c", command],
      {
        cwd: root,
        env: userEnv(),
        encoding: "utf8",
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/** PATH and HOME, as a user's shell has them; nothing else of the test's environment. */
function userEnv(): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME };
  return env as NodeJS.ProcessEnv;
}
