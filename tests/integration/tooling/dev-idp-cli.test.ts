// `npm run idp`: the embedded IdP on its own, serving the realms the app's
// environment names, as `npm run dev` starts it.
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../../support/app";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { logInOverHttp } from "../../support/login";

const root = fileURLToPath(new URL("../../..", import.meta.url));
/** What a test started, stopped after it. */
const cleanups: (() => unknown)[] = [];
afterEach(() => stopAll(cleanups));
async function stopAll(started: (() => unknown)[]) {
  for (const stop of started.splice(0).reverse()) await stop();
}

/** Starts `node dev/idp/cli.js` (what `npm run idp` runs), to be stopped with what `started` holds; its exit code and what it printed so far. */
function spawnCli(env: Record<string, string>, started = cleanups) {
  const child = spawn(process.execPath, ["dev/idp/cli.js"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "development", ...env },
  });
  started.push(() => child.kill("SIGTERM"));
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** Starts `npm run idp` and resolves with what it printed once it listens. */
async function startCli(env: Record<string, string>, started = cleanups): Promise<{ output: () => string }> {
  const { child, output } = spawnCli(env, started);
  const deadline = Date.now() + 30_000;
  while (!output().includes("Dev IdP listening")) {
    if (child.exitCode !== null) throw new Error(`dev/idp/cli.js exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`dev/idp/cli.js did not start within 30 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { output };
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

  it("says in one line that its port is taken, naming IDP_PORT, instead of a stack trace", async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
    const { exited, output } = spawnCli({ IDP_PORT: String(port) });
    expect(await exited).toBe(1);
    expect(output()).toBe(
      `npm run idp: port ${port} is taken by another program: stop it, or set IDP_PORT to a free port (IDP_PORT=${port + 1} npm run idp, and KEYCLOAK_URL=http://127.0.0.1:${port + 1} for the app)\n`,
    );
  });
});

describe("npm run idp, given the app's environment, lets that app sign in", () => {
  const started: (() => unknown)[] = [];
  let app: RunningApp;
  let idp: string;
  beforeAll(async () => {
    const [idpPort, appPort] = [await freePort(), await freePort()];
    idp = `http://127.0.0.1:${idpPort}`;
    // The app's own variables, given to both: another port than 3000, and generic providers (EXTENDING.md)
    // pointed at the embedded IdP's realm demo, with the realm's client and with a client of their own.
    const env = {
      KEYCLOAK_REALM: "demo",
      OIDC_PROVIDERS: "partner,globex",
      OIDC_PROVIDER_PARTNER_ISSUER: `${idp}/realms/demo`,
      OIDC_PROVIDER_PARTNER_CLIENT_ID: "remix-app",
      OIDC_PROVIDER_PARTNER_CLIENT_SECRET: "dev-secret",
      OIDC_PROVIDER_GLOBEX_ISSUER: `${idp}/realms/demo`,
      OIDC_PROVIDER_GLOBEX_CLIENT_ID: "globex-app",
      OIDC_PROVIDER_GLOBEX_CLIENT_SECRET: "globex-secret",
    };
    // PORT, not APP_URL: the app derives its origin from it, and so must the IdP.
    await startCli({ ...env, IDP_PORT: String(idpPort), PORT: String(appPort) }, started);
    app = await startApp({ port: appPort, env: { ...env, KEYCLOAK_URL: idp, KEYCLOAK_CLIENT_SECRET: "dev-secret" } });
    started.push(() => app.stop());
  });
  afterAll(() => stopAll(started));

  it.each([
    { name: "demo", what: "on another port than 3000, given PORT as the app reads it (no APP_URL)" },
    { name: "partner", what: "through a provider of OIDC_PROVIDERS on one of its realms, with the realm's client" },
    { name: "globex", what: "through a provider of OIDC_PROVIDERS on one of its realms, with a client of its own" },
  ])("$what", async ({ name }) => {
    const jar = new CookieJar();
    const callback = await logInOverHttp(jar, { app: app.url, idp, realm: name });
    expect(callback.status).toBe(302);
    expect(textOf(await (await browse(jar, `${app.url}/`)).text())).toContain("Log out");
  });
});
