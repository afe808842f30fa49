// Account actions and registration (issue 25.2) against the dev IdP, which has neither: it ignores kc_action
// (so the app says it cannot tell how the action went) and lists no prompt=create (so /login offers no
// registration). What it does show: the action is a same-origin POST that starts a login like any other
// (state, PKCE, nonce), and a callback that comes back as another user never replaces the session.
// Keycloak's own forms: tests/e2e/keycloak/account-actions.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, decodeEntities, follow, textOf } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
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

const changePassword = (jar: CookieJar, headers: Record<string, string> = { Origin: app }) =>
  browse(jar, `${app}/account/password`, { form: {}, headers });

const pageText = async (response: Response) => decodeEntities(textOf(await response.text()));

describe("Change password", () => {
  it("is a same-origin POST: another site's is refused, a GET goes back to /account, no session goes to login", async () => {
    const jar = await signedIn("demo");
    const crossSite = await changePassword(jar, { Origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).toBe("Cross-site account action refused");
    const get = await browse(jar, `${app}/account/password`);
    expect([get.status, get.headers.get("location")]).toEqual([303, "/account"]);
    const anonymous = await changePassword(new CookieJar());
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/login\?returnTo=/);
  });

  it("is offered to a Keycloak realm's users only", async () => {
    const realm = await signedIn("demo");
    expect(await pageText(await browse(realm, `${app}/account`))).toContain("Change password");
    const partner = await signedIn("partner");
    expect(await pageText(await browse(partner, `${app}/account`))).not.toContain("Change password");
    expect((await changePassword(partner)).status).toBe(404);
  });

  it("sends kc_action=UPDATE_PASSWORD with state, PKCE and nonce, and comes back to /account, still signed in", async () => {
    const jar = await signedIn("demo");
    const before = await sessionIn(jar, app);
    const start = await changePassword(jar);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.href.startsWith(`${stack.idp.url}/realms/demo/`)).toBe(true);
    expect(authorize.searchParams.get("kc_action")).toBe("UPDATE_PASSWORD");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    for (const name of ["state", "nonce", "code_challenge"]) expect(authorize.searchParams.get(name)).toBeTruthy();

    // The dev IdP knows no kc_action: its session signs the same user in again, without kc_action_status.
    const { url: callbackUrl } = await follow(jar, await browse(jar, authorize.href), authorize.href, stack.idp.url);
    const callback = await browse(jar, callbackUrl);
    expect([callback.status, callback.headers.get("location")]).toEqual([302, "/account"]);
    expect((await sessionIn(jar, app))?.user).toEqual(before?.user);

    const account = await pageText(await browse(jar, `${app}/account`));
    expect(account).toContain("The identity provider did not say whether your password was changed.");
    // Said once.
    expect(await pageText(await browse(jar, `${app}/account`))).not.toContain("did not say whether");
  });

  it("keeps the session when the provider comes back signed in as another user", async () => {
    const jar = await signedIn("demo");
    const before = await sessionIn(jar, app);
    const authorize = (await changePassword(jar)).headers.get("location")!;
    // Another browser profile's provider session (big's) answers the authorization request.
    const elsewhere = await signedIn("demo", "big");
    const { url: callbackUrl } = await follow(elsewhere, await browse(elsewhere, authorize), authorize, stack.idp.url);

    const callback = await browse(jar, callbackUrl);
    expect(callback.status).toBe(409);
    const text = await pageText(callback);
    expect(text).toContain("The identity provider answered for another account");
    expect(text).toContain("Back to your account");
    expect((await sessionIn(jar, app))?.user).toEqual(before?.user);
    expect(await pageText(await browse(jar, `${app}/account`))).toContain("demo@example.com");
  });
});

describe("Create an account", () => {
  it("is not offered, nor prompt=create sent, when the provider's discovery lists no create (the dev IdP)", async () => {
    const discovery = await (await fetch(`${stack.idp.url}/realms/demo/.well-known/openid-configuration`)).json();
    expect(discovery.prompt_values_supported ?? []).not.toContain("create");
    const login = await browse(new CookieJar(), `${app}/login`);
    expect(login.status).toBe(200);
    const text = await pageText(login);
    expect(text).toContain("Partner SSO");
    expect(text).not.toContain("Create an account");
    const start = await browse(new CookieJar(), `${app}/auth/demo/login?prompt=create`);
    expect(new URL(start.headers.get("location")!).searchParams.has("prompt")).toBe(false);
  });
});
