import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_REDIRECT_REQUEST_LINE_BYTES } from "~/auth/protocol/end-session.server";
import { browse, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { continueIdpLogout, logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";
import { DEFAULT_USERS, groupPaths } from "../../../dev/idp/users.js";

let stack: Stack;
let app: string;
beforeAll(async () => {
  // The default (KEYCLOAK_LOGOUT_METHOD unset) is redirect; realm "forms" is configured for post.
  // "huge" has 100 groups: an ID token of about 11 KB, still within the session's budget once compressed.
  const huge = {
    ...DEFAULT_USERS[1]!,
    sub: "2f4c6e8a-0b1d-4f3a-9c5e-7a9b1c3d5e7f",
    username: "huge",
    password: "huge",
    groups: groupPaths(100),
  };
  stack = await startStack({
    realms: ["demo", "forms"],
    users: [...DEFAULT_USERS, huge],
    env: { KEYCLOAK_REALM_FORMS_LOGOUT_METHOD: "post" },
  });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

async function logIn(username = "demo", realm = "demo") {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app, idp: stack.idp.url, username, realm })).status).toBe(302);
  return { jar, idToken: (await sessionIn(jar, app))!.idToken };
}

/** Logs out (redirect mode) and returns where the IdP sends the browser back, not yet visited. */
async function logOutAtIdp(jar: CookieJar) {
  const logout = await browse(jar, `${app}/logout`, { form: {} });
  const callbackUrl = await continueIdpLogout(jar, await follow(jar, logout, app, stack.idp.url), stack.idp.url);
  return { logout, callbackUrl };
}

describe("redirect mode (the default for Keycloak)", () => {
  it("redirects to the end-session URL with the hint, the client, the callback and a state", async () => {
    const { jar, idToken } = await logIn();
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(302);
    expect(jar.names(app)).not.toContain("__session");
    const location = new URL(logout.headers.get("location")!);
    const state = location.searchParams.get("state")!;
    expect(logout.headers.get("location")).toBe(
      `${stack.idp.issuer("demo")}/protocol/openid-connect/logout?id_token_hint=${idToken}&client_id=remix-app` +
        `&post_logout_redirect_uri=${encodeURIComponent(`${app}/logout/callback`)}&state=${state}`,
    );
  });

  it(`sends a URL whose request line would exceed ${MAX_REDIRECT_REQUEST_LINE_BYTES} bytes as a form POST instead`, async () => {
    const { jar, idToken } = await logIn("huge");
    expect(idToken.length).toBeGreaterThan(MAX_REDIRECT_REQUEST_LINE_BYTES);
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(200);
    const form = formOf(await logout.text(), app);
    expect(form.action).toBe(`${stack.idp.issuer("demo")}/protocol/openid-connect/logout`);
    expect(form.fields).toMatchObject({
      id_token_hint: idToken,
      client_id: "remix-app",
      post_logout_redirect_uri: `${app}/logout/callback`,
    });
    expect(jar.names(app)).not.toContain("__session");
  });
});

describe("redirect mode with a 7 KB token", () => {
  it("still redirects: Keycloak and a default nginx in front of it accept the request line", async () => {
    const { jar, idToken } = await logIn("big");
    expect(idToken.length).toBeGreaterThan(6_000);
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(302);
    expect(new URL(logout.headers.get("location")!).searchParams.get("id_token_hint")).toBe(idToken);
  });
});

describe("post mode (KEYCLOAK_REALM_FORMS_LOGOUT_METHOD=post)", () => {
  it("answers the auto-submitting form page in the app's style, for any token size", async () => {
    const { jar, idToken } = await logIn("demo", "forms");
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(200);
    expect(logout.headers.get("x-content-type-options")).toBe("nosniff");
    expect(logout.headers.get("content-security-policy")).toMatch(
      /default-src 'none'; style-src 'self'; img-src 'self'; script-src 'sha256-/,
    );
    const html = await logout.text();
    expect(html).toMatch(
      /<meta name="color-scheme" content="light dark"\/><meta name="robots" content="noindex"\/><title>Logging out<\/title><link rel="stylesheet" href="\/build\/_assets\/styles-\w+\.css"\/>/,
    );
    expect(textOf(html)).toContain("Ending your session at forms.");
    expect(formOf(html, app).fields.id_token_hint).toBe(idToken);
  });
});

describe("the logout state", () => {
  it("is single-use: the same callback replayed with the same cookie is logged as a replay and clears nothing again", async () => {
    const { jar } = await logIn();
    const { callbackUrl } = await logOutAtIdp(jar);
    const cookie = jar.header(callbackUrl);
    expect(cookie).toMatch(/oidc-logout-state=/);
    await fetch(callbackUrl, { headers: { cookie } });
    const before = stack.app.output().length;
    const replay = await fetch(callbackUrl, { headers: { cookie } });
    // No one is signed in in this browser: the page says so (issue 28.3), and changes nothing.
    expect(replay.status).toBe(200);
    expect(textOf(await replay.text())).toContain("You are signed out");
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(replay.headers.get("clear-site-data")).toBeNull();
    await expect.poll(() => stack.app.output().slice(before)).toContain("logout state replayed");
  });

  it("is refused, replayed in a browser where someone is signed in again", async () => {
    const { jar } = await logIn();
    const { callbackUrl } = await logOutAtIdp(jar);
    const stateCookie = jar.header(callbackUrl);
    await fetch(callbackUrl, { headers: { cookie: stateCookie } });
    const again = await logIn();
    const replay = await fetch(callbackUrl, { headers: { cookie: `${stateCookie}; ${again.jar.header(app)}` } });
    expect(replay.status).toBe(400);
    expect(textOf(await replay.text())).toContain("This logout link is not valid");
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect((await browse(again.jar, `${app}/account`)).status).toBe(200);
  });
});

describe("a visit to /logout/callback that no logout of this browser started (issue 14.1)", () => {
  it.each([
    ["without a state", ""],
    ["with a forged state", "?state=forged"],
  ])("%s leaves a signed-in user signed in and touches no cookie", async (_label, query) => {
    const { jar } = await logIn();
    const page = await browse(jar, `${app}/logout/callback${query}`, { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(page.status).toBe(400);
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(page.headers.get("clear-site-data")).toBeNull();
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });
});
