// "Sign out of all devices" (issue 24.2) on real Keycloak: the app asks Keycloak's Account REST API, with the
// user's own access token, to end all of the user's sessions; Keycloak's admin API then lists none, and the
// app's session in the other browser is gone (revoked by sub, and by Keycloak's back-channel logout).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, decodeEntities, textOf } from "../../support/browserless";
import { KeycloakAdmin, keycloakUrl, startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { logInAtKeycloak, startKeycloakLogin } from "../../support/keycloak-login";

const keycloak = keycloakUrl();
let stack: KeycloakStack;
let admin: KeycloakAdmin;
beforeAll(async () => {
  admin = new KeycloakAdmin(keycloak);
  stack = await startKeycloakStack();
});
afterAll(() => stack?.stop());

async function signedIn(): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await logInAtKeycloak(jar, { app: stack.app.url, keycloak })).status).toBe(302);
  return jar;
}

describe("sign out of all devices, at Keycloak", () => {
  it("ends every Keycloak session of the user and the app's session in the other browser", async () => {
    const app = stack.app.url;
    const [here, elsewhere] = [await signedIn(), await signedIn()];
    expect((await admin.sessions("demo", "demo")).length).toBeGreaterThanOrEqual(2);
    expect((await browse(elsewhere, `${app}/account`)).status).toBe(200);

    const answer = await browse(here, `${app}/logout-everywhere`, { form: {}, headers: { Origin: app } });
    expect(answer.headers.get("location")).toBe("/logout/everywhere?outcome=ended&realm=demo");
    const page = decodeEntities(textOf(await (await browse(here, `${app}${answer.headers.get("location")}`)).text()));
    expect(page).toContain("You are signed out everywhere");

    expect(await admin.sessions("demo", "demo")).toEqual([]);
    const account = await browse(elsewhere, `${app}/account`);
    expect(account.status).toBe(302);
    expect(account.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    // Keycloak asks for the password again, in both browsers.
    for (const jar of [here, elsewhere]) {
      const { page: login } = await startKeycloakLogin(jar, { app, keycloak });
      expect(login.html).toMatch(/name="password"/);
    }
  });

  it("says Keycloak did not allow it when the user may not manage the account, and still ends the app's sessions", async () => {
    const app = stack.app.url;
    // Keycloak's default roles give every user manage-account of the account client; this realm's are taken away.
    const composites = `/demo/roles/default-roles-demo/composites`;
    const manageAccount = (await admin.get<{ name: string }[]>(composites)).filter(
      (role) => role.name === "manage-account",
    );
    expect(manageAccount).toHaveLength(1);
    await admin.request("DELETE", composites, manageAccount);
    try {
      const [here, elsewhere] = [await signedIn(), await signedIn()];
      const before = (await admin.sessions("demo", "demo")).length;
      const answer = await browse(here, `${app}/logout-everywhere`, { form: {}, headers: { Origin: app } });
      expect(answer.headers.get("location")).toBe("/logout/everywhere?outcome=refused&realm=demo");
      const page = decodeEntities(textOf(await (await browse(here, `${app}${answer.headers.get("location")}`)).text()));
      expect(page).toContain("demo did not allow this app to end your sessions there");
      expect((await admin.sessions("demo", "demo")).length).toBe(before);
      expect((await browse(elsewhere, `${app}/account`)).status).toBe(302);
    } finally {
      await admin.request("POST", composites, manageAccount);
    }
  });
});
