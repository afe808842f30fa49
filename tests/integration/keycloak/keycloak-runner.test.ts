// `npm run keycloak` for an app on another port than 3000 (PORT=<port> npm run
// keycloak): the demo client as it imports it, in the running Keycloak's realm
// demo, and the app started with the commands it prints.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appCommands, appFor } from "../../../dev/keycloak/app-command.js";
import { realmsForApp } from "../../../dev/keycloak/index.js";
import { freePort } from "../../support/app";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import {
  KeycloakAdmin,
  keycloakUrl,
  pointClientAt,
  REALM_CLIENTS,
  type ClientRepresentation,
} from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession } from "../../support/keycloak-login";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const { clientId } = REALM_CLIENTS.demo!;

/** The printed lines run by a shell in the checkout, with nothing of the test's environment but PATH and HOME. */
async function runPrinted(lines: string[], appUrl: string) {
  const child = spawn("sh", ["-c", lines.join("\n")], {
    cwd: root,
    detached: true,
    env: userEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return; // already gone
    }
    await exited;
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the printed commands exited with ${child.exitCode}:\n${output}`);
    if (
      await fetch(`${appUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app did not answer at ${appUrl} within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { output: () => output, stop };
}

describe("npm run keycloak for an app on another port than 3000 (PORT)", () => {
  const admin = new KeycloakAdmin();
  const keycloak = keycloakUrl();
  let app: { url: string; port: number };
  let printed: Awaited<ReturnType<typeof runPrinted>>;

  beforeAll(async () => {
    app = appFor({ PORT: String(await freePort()) });
    // The demo client as the runner imports it for that app; the rest of the realm is the file's already.
    const imported = realmsForApp(app.url).find(({ realm }) => realm.realm === "demo")!.realm;
    const client = imported.clients!.find((c) => c.clientId === clientId) as ClientRepresentation;
    await admin.updateClient("demo", clientId, (current) => {
      Object.assign(current, { rootUrl: client.rootUrl, baseUrl: client.baseUrl, redirectUris: client.redirectUris });
      current.attributes = { ...current.attributes, ...client.attributes };
    });
    const commands = appCommands(keycloak, app);
    // `npm run build` has run: the suite runs on the production build.
    expect(commands.production[0]).toBe("npm run build");
    printed = await runPrinted([...commands.environment, commands.production[1]!], app.url);
  });
  afterAll(async () => {
    await printed?.stop();
    // Back to the realm file's app, as the other suites expect to find it.
    await pointClientAt(admin, "demo", clientId, ["http://localhost:3000"]);
  });

  it("logs in at Keycloak, and out through Keycloak's end-session endpoint back to the app", async () => {
    expect(app.url).not.toBe("http://localhost:3000");
    const sessionIds = async () => (await admin.sessions("demo", "demo")).map((session) => session.id);
    const before = await sessionIds();
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app: app.url, keycloak });
    expect(textOf(await (await browse(jar, `${app.url}/account`)).text())).toContain("Signed in as demo");
    const opened = (await sessionIds()).filter((id) => !before.includes(id));
    expect(opened).toHaveLength(1);

    const logout = await browse(jar, `${app.url}/logout`, { form: {} });
    const { stop } = await sendEndSession(jar, logout, app.url, keycloak);
    expect(stop.html && textOf(stop.html).slice(0, 300)).toBeUndefined();
    expect(stop.url.startsWith(`${app.url}/logout/callback?state=`)).toBe(true);
    const page = await follow(jar, await browse(jar, stop.url), stop.url, app.url);
    expect(textOf(page.html!)).toContain("Your session in this app and at your identity provider has ended");
    expect(await sessionIds()).not.toContain(opened[0]);
  });

  it("receives Keycloak's back-channel logout at the client's back-channel URL", async () => {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app: app.url, keycloak });
    await admin.request("POST", `/demo/users/${await admin.userId("demo", "demo")}/logout`);
    await expect.poll(() => printed.output(), { timeout: 10_000 }).toContain('"event":"backchannel_logout"');
    const account = await browse(jar, `${app.url}/account`);
    expect(account.status).toBe(302);
  });
});

/** PATH and HOME, as a user's shell has them; nothing else of the test's environment. */
function userEnv(): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME };
  return env as NodeJS.ProcessEnv;
}
