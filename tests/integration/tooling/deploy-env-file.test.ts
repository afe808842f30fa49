// docs/DEPLOY.md's /etc/remix-app/env, read by the doctor's `sh` one-liner as written there.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const guide = readFileSync(new URL("../../../docs/DEPLOY.md", import.meta.url), "utf8");
const envFile = /```ini\n(# \/etc\/remix-app\/env[^]*?)```/.exec(guide)![1]!;
const oneLiner = /# or: sudo (sh -c '.*')/.exec(guide)![1]!;

/** What `sh -c 'set -a; . <file>; …'` puts in the environment for `contents`. */
function sourced(contents: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "env-file-"));
  try {
    const file = join(dir, "env");
    writeFileSync(file, contents);
    const script = /'(.*)'/
      .exec(oneLiner)![1]!
      .replace("/etc/remix-app/env", file)
      .replace("exec npm run doctor", `exec "${process.execPath}" -e 'console.log(JSON.stringify(process.env))'`);
    return JSON.parse(
      execFileSync("sh", ["-c", script], { env: { PATH: "/usr/bin:/bin", NODE_ENV: "production" }, encoding: "utf8" }),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe("DEPLOY.md's env file", () => {
  it("gives the doctor's sh one-liner every value as written, a quoted one with a space too", () => {
    const env = sourced(envFile);
    expect(env).toMatchObject({
      APP_URL: "https://app.example.com",
      KEYCLOAK_REALM: "demo",
      KEYCLOAK_REALM_DEMO_LABEL: "Demo Corp",
      SESSION_SECRET: "paste-the-output-of-openssl-rand-base64-48",
    });
  });
});
