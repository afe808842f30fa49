// Issue 14.9: with an https APP_URL every cookie that carries a session, a login or a logout state has the
// __Host- prefix, so a sibling subdomain cannot plant one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE_BUDGET } from "~/auth/session/session.server";
import { freePort } from "../../support/app";
import { browse, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { continueIdpLogout, encryptedSession } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
/** The public origin (APP_URL), as behind a TLS proxy. */
let appUrl: string;
/** Where the app listens: TLS is the proxy's job, the app itself serves plain HTTP. */
let app: string;

beforeAll(async () => {
  appUrl = `https://localhost:${await freePort()}`;
  stack = await startStack({ realms: ["demo", "acme"], publicUrl: appUrl, backchannelLogout: false });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

/** What the proxy does with a public URL the IdP sends the browser to. */
const throughProxy = (url: string) => {
  expect(url.startsWith(`${appUrl}/`)).toBe(true);
  return app + url.slice(appUrl.length);
};

/** Starts a login at the app and signs in at the IdP; returns the login's answer and the callback URL, not yet visited. */
async function signInAtIdp(jar: CookieJar, username: string, path = "/auth/demo/login") {
  const start = await browse(jar, `${app}${path}`);
  expect(start.status).toBe(302);
  const page = await follow(jar, start, app, stack.idp.url);
  const { action } = formOf(page.html!, page.url);
  const form = { username, password: username };
  const done = await follow(jar, await browse(jar, action, { form }), action, stack.idp.url);
  return { start, callbackUrl: throughProxy(done.url) };
}

async function logIn(jar: CookieJar, username: string) {
  const callback = await browse(jar, (await signInAtIdp(jar, username)).callbackUrl);
  expect(callback.status).toBe(302);
}

/** Logs out at the app and the IdP; returns the logout's answer and the logout callback URL, not yet visited. */
async function logOutAtIdp(jar: CookieJar) {
  const logout = await browse(jar, `${app}/logout`, { form: {}, headers: { Origin: appUrl } });
  expect(logout.status).toBe(302);
  const back = await continueIdpLogout(jar, await follow(jar, logout, app, stack.idp.url), stack.idp.url);
  return { logout, callbackUrl: throughProxy(back) };
}

/** The value a `Set-Cookie` of `response` gives the cookie named `name` (with or without the __Host- prefix). */
function setCookieValue(response: Response, name: string): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.replace(/^__Host-/, "").startsWith(`${name}=`));
  expect(line).toBeDefined();
  return line!.slice(line!.indexOf("=") + 1, line!.indexOf(";"));
}

const sealed = () =>
  encryptedSession({
    user: { realm: "demo", sub: "u1", sid: "s1", username: "demo" },
    idToken: "a.b.c",
    createdAt: Date.now() / 1000,
  });
/** Whether the home page shows someone signed in (it calls no API, so a session without tokens shows there too). */
const signedInOnHome = async (cookie: string) =>
  (await (await fetch(`${app}/`, { headers: { cookie } })).text()).includes('data-testid="username"');

describe("session cookies when APP_URL is https", () => {
  it("are read only under the __Host- prefix: a plain __session (which a sibling subdomain could plant) is not a session", async () => {
    const value = await sealed();
    expect(await signedInOnHome(`__Host-session=${value}`)).toBe(true);
    expect(await signedInOnHome(`__session=${value}`)).toBe(false);
  });

  it("are deleted at logout as __Host- cookies: Secure, Path=/, no Domain", async () => {
    const logout = await fetch(`${app}/logout`, {
      method: "POST",
      headers: {
        cookie: `__Host-session=${await sealed()}`,
        Origin: appUrl,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      redirect: "manual",
    });
    const deleted = logout.headers.getSetCookie().find((cookie) => cookie.startsWith("__Host-session="));
    expect(deleted).toMatch(/^__Host-session=; Max-Age=0; Path=\/;/);
    expect(deleted).toMatch(/; Secure/);
    expect(deleted).not.toMatch(/Domain=/i);
  });
});

describe("login and logout state cookies when APP_URL is https", () => {
  it("are __Host- cookies (Secure, Path=/, no Domain), set and deleted under the same name and path", async () => {
    const jar = new CookieJar();
    const { start, callbackUrl } = await signInAtIdp(jar, "demo", "/auth/demo/login?returnTo=%2Faccount");
    expect(start.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^__Host-oidc:demo=[^;]+; Max-Age=300; Path=\/; HttpOnly; Secure; SameSite=Lax$/),
      expect.stringMatching(/^__Host-oidc-return-to=[^;]+; Max-Age=300; Path=\/; HttpOnly; Secure; SameSite=Lax$/),
    ]);
    const callback = await browse(jar, callbackUrl);
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/account");
    for (const name of ["__Host-oidc-return-to", "__Host-oidc:demo"])
      expect(callback.headers.getSetCookie()).toContainEqual(expect.stringMatching(`^${name}=; Max-Age=0; Path=/;`));
    expect(jar.names(app)).toEqual(["__Host-session"]);

    const { logout, callbackUrl: logoutCallbackUrl } = await logOutAtIdp(jar);
    expect(logout.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(
        /^__Host-oidc-logout-state=v1\.[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      ),
    );
    const loggedOut = await browse(jar, logoutCallbackUrl);
    expect(textOf(await loggedOut.text())).toContain(
      "Your session in this app and at your identity provider has ended.",
    );
    expect(loggedOut.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(/^__Host-oidc-logout-state=; Max-Age=0; Path=\/;/),
    );
    expect(jar.names(app)).toEqual([]);
    const everySetCookie = [...start.headers.getSetCookie(), ...logout.headers.getSetCookie()];
    expect(everySetCookie.filter((cookie) => /domain=/i.test(cookie))).toEqual([]);
  });

  it("refuse an attacker's login planted without the prefix (as a sibling subdomain can): the victim is not signed in as the attacker", async () => {
    // The attacker starts a login of their own and signs in at the IdP, but stops before the callback.
    const attacker = new CookieJar();
    const { start, callbackUrl } = await signInAtIdp(attacker, "big");
    const stateValue = setCookieValue(start, "oidc:demo");

    // A page on a sibling subdomain sets `oidc:demo=<that value>; Domain=<parent>` and sends the victim to the callback.
    const victim = await fetch(callbackUrl, { headers: { cookie: `oidc:demo=${stateValue}` }, redirect: "manual" });
    expect(victim.status).toBe(400);
    expect(textOf(await victim.text())).toContain("This sign-in attempt has expired");
    expect(victim.headers.getSetCookie().filter((cookie) => /session/.test(cookie))).toEqual([]);

    // The same state and code in the attacker's own browser (the prefixed cookie) were valid all along.
    const own = await fetch(callbackUrl, { headers: { cookie: `__Host-oidc:demo=${stateValue}` }, redirect: "manual" });
    expect(own.status).toBe(302);
  });

  it("refuse an attacker's logout state planted without the prefix: the victim stays signed in, no cookie touched", async () => {
    const victim = new CookieJar();
    await logIn(victim, "demo");
    const attacker = new CookieJar();
    await logIn(attacker, "big");
    const { logout, callbackUrl } = await logOutAtIdp(attacker);
    const planted = `oidc-logout-state=${setCookieValue(logout, "oidc-logout-state")}`;

    const page = await fetch(callbackUrl, { headers: { cookie: `${victim.header(app)}; ${planted}` } });
    expect(page.status).toBe(400);
    expect(textOf(await page.text())).toContain("This logout link is not valid");
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(page.headers.get("clear-site-data")).toBeNull();
    expect(await signedInOnHome(victim.header(app))).toBe(true);
  });

  it("ride on every request within what the session budget leaves of nginx's 8 KB Cookie line, after a flood of logins with long return paths at each provider", async () => {
    // What a full session leaves, minus the app's own cookie (160 bytes with a flash message) and separators.
    const room = 8 * 1024 - SESSION_COOKIE_BUDGET - 256;
    const jar = new CookieJar();
    await logIn(jar, "demo");
    await logOutAtIdp(jar); // its logout state stays until the callback, 10 minutes at most
    let largest = 0;
    // Return paths of many lengths, across what a login keeps ("/;;;…", each ";" 3 bytes in the cookie), longest first.
    const lengths = [400, 300, 200, ...Array.from({ length: 80 }, (_, i) => 120 - i)];
    for (const length of lengths) {
      for (const realm of ["acme", "demo"]) {
        const returnTo = encodeURIComponent(`/${";".repeat(length - 1)}`);
        expect((await browse(jar, `${app}/auth/${realm}/login?returnTo=${returnTo}`)).status).toBe(302);
        largest = Math.max(largest, jar.header(`${app}/`).length, jar.header(`${app}/auth/${realm}/callback`).length);
      }
    }
    expect(largest).toBeLessThanOrEqual(room);
  });
});
