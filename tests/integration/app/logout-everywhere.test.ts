// "Sign out of all devices" (issue 24.2) against the dev IdP: every session of the user in the app ends, on
// every browser; the provider is asked to end its own sessions only when it is a Keycloak realm (the dev IdP
// has no Account REST API, so it refuses, and the page says what that means), never a generic provider.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, decodeEntities, textOf } from "../../support/browserless";
import { logInOverHttp } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack({ oidcProviders: [{ name: "partner", label: "Partner SSO" }] });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

async function signedIn(realm: string, username = "demo"): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app, idp: stack.idp.url, realm, username })).status).toBe(302);
  return jar;
}

const accountStatus = async (jar: CookieJar) => (await browse(jar, `${app}/account`)).status;

async function signOutEverywhere(jar: CookieJar) {
  const answer = await browse(jar, `${app}/logout-everywhere`, { form: {}, headers: { Origin: app } });
  expect(answer.status).toBe(303);
  const location = answer.headers.get("location")!;
  const page = await browse(jar, `${app}${location}`);
  return { location, status: page.status, text: decodeEntities(textOf(await page.text())) };
}

describe("sign out of all devices", () => {
  it("ends the user's sessions in every browser, asks the realm to end its own, and says it refused", async () => {
    const [here, elsewhere, someoneElse] = [
      await signedIn("demo"),
      await signedIn("demo"),
      await signedIn("demo", "big"),
    ];
    expect(await accountStatus(elsewhere)).toBe(200);
    stack.idp.clearRequests();

    const { location, status, text } = await signOutEverywhere(here);
    expect(location).toBe("/logout/everywhere?outcome=refused&realm=demo");
    expect(status).toBe(200);
    expect(text).toContain("You are signed out of this app everywhere");
    expect(text).toContain("demo did not allow this app to end your sessions there");

    // The realm was asked with the user's own access token, through Keycloak's Account REST API.
    const asked = stack.idp.requests.filter((request) => request.path === "/realms/demo/account/sessions");
    expect(asked).toMatchObject([{ method: "DELETE", query: { current: "true" } }]);

    expect(await accountStatus(here)).toBe(302);
    expect(await accountStatus(elsewhere)).toBe(302);
    expect(await accountStatus(someoneElse)).toBe(200);
  });

  it("ends only the app's sessions for a generic provider, asks it nothing, and says so", async () => {
    const [here, elsewhere] = [await signedIn("partner"), await signedIn("partner")];
    stack.idp.clearRequests();
    const { location, text } = await signOutEverywhere(here);
    expect(location).toBe("/logout/everywhere?outcome=app_only&realm=partner");
    expect(text).toContain("Partner SSO does not let this app end your sessions there");
    expect(stack.idp.requests.filter((request) => request.path.includes("/account/"))).toEqual([]);
    expect(await accountStatus(elsewhere)).toBe(302);
  });

  it("refuses a cross-site form, and a GET ends nothing", async () => {
    const jar = await signedIn("demo");
    const crossSite = await browse(jar, `${app}/logout-everywhere`, {
      form: {},
      headers: { Origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect((await browse(jar, `${app}/logout-everywhere`)).status).toBe(303);
    expect((await browse(jar, `${app}/logout/everywhere`)).status).toBe(404);
    expect(await accountStatus(jar)).toBe(200);
  });
});
