// Issue 28.5 on real Keycloak: with a wrong client secret Keycloak signs the user in, then refuses the app at
// the token endpoint (401 unauthorized_client). The page says the app is misconfigured (no "Try again" that
// loops), and lets the user end the Keycloak session that login opened, which Keycloak's admin API shows gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, decodeEntities, follow, formOf, textOf } from "../../support/browserless";
import {
  KeycloakAdmin,
  keycloakUrl,
  REALM_CLIENTS,
  startKeycloakStack,
  type KeycloakStack,
} from "../../support/keycloak";
import { confirmKeycloakLogout, signInAtKeycloak, startKeycloakLogin } from "../../support/keycloak-login";

const keycloak = keycloakUrl();
let stack: KeycloakStack;
let admin: KeycloakAdmin;
beforeAll(async () => {
  admin = new KeycloakAdmin(keycloak);
  const { clientId } = REALM_CLIENTS.demo!;
  stack = await startKeycloakStack({ realmClients: { demo: { clientId, clientSecret: "not-the-client-secret" } } });
});
afterAll(() => stack?.stop());

const sessionIds = async () => (await admin.sessions("demo", "demo")).map((session) => session.id);

describe("a client secret Keycloak refuses", () => {
  it("says the app is misconfigured, and its sign-out ends the Keycloak session the login opened", async () => {
    const app = stack.app.url;
    const before = await sessionIds();
    const jar = new CookieJar();
    const { page } = await startKeycloakLogin(jar, { app, keycloak });
    const callbackUrl = await signInAtKeycloak(jar, page, { app, keycloak });
    const opened = (await sessionIds()).filter((id) => !before.includes(id));
    expect(opened).toHaveLength(1);

    const callback = await browse(jar, callbackUrl);
    expect(callback.status).toBe(502);
    const html = await callback.text();
    expect(decodeEntities(textOf(html))).toContain("This app cannot sign anyone in just now");
    expect(html).not.toContain('href="/auth/demo/login"');
    const failed = stack.app
      .output()
      .split("\n")
      .find((line) => line.includes('"event":"login_failed"'));
    expect(failed).toMatch(/"code":"client_rejected".*HTTP 401/);
    expect(failed).not.toContain("not-the-client-secret");

    const { action } = formOf(html, callbackUrl);
    const signOut = await browse(jar, action, { form: {}, headers: { Origin: app } });
    const asked = await follow(jar, signOut, app, keycloak);
    const back = await confirmKeycloakLogout(jar, asked, keycloak);
    expect(back.url.startsWith(`${app}/logout/callback?state=`)).toBe(true);
    expect(textOf(await (await browse(jar, back.url)).text())).toContain("You are logged out");
    expect(await sessionIds()).not.toContain(opened[0]);
  });
});
