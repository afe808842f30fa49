// `npm run idp`: the embedded IdP on its own, serving the realms the app's
// environment names, as `npm run dev` starts it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../support/app";

const root = fileURLToPath(new URL("../../..", import.meta.url));
let stop: (() => void) | undefined;
afterEach(() => stop?.());

/** Starts `node dev/idp/cli.js` (what `npm run idp` runs) and resolves with what it printed once it listens. */
async function startCli(env: Record<string, string>): Promise<{ output: () => string }> {
  const child = spawn(process.execPath, ["dev/idp/cli.js"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "development", ...env },
  });
  stop = () => child.kill("SIGTERM");
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes("Dev IdP listening")) {
    if (child.exitCode !== null) throw new Error(`dev/idp/cli.js exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`dev/idp/cli.js did not start within 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { output: () => output };
}

describe("npm run idp", () => {
  it("serves KEYCLOAK_REALM and KEYCLOAK_REALMS, says how to sign in, and prints no runtime warning", async () => {
    const port = await freePort();
    const { output } = await startCli({ IDP_PORT: String(port), KEYCLOAK_REALM: "demo", KEYCLOAK_REALMS: "acme" });
    expect(output()).toContain(
      `Dev IdP listening on http://127.0.0.1:${port} (realms: demo, acme); sign in as demo / demo`,
    );
    expect(output()).not.toContain("Unsupported runtime");
    for (const realm of ["demo", "acme"]) {
      const discovery = await fetch(`http://127.0.0.1:${port}/realms/${realm}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe(`http://127.0.0.1:${port}/realms/${realm}`);
    }
  });
});
