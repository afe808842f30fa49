// The reachability probe before a login or logout (one discovery GET) is skipped when the provider answered
// another request a moment ago (IDP_CONTACT_WINDOW_MS, docs/decisions/011): counted in the requests the dev IdP
// really received. A failed request, or a contact older than the window, brings the probe back, and with it the
// app's own page when the provider is down.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar } from "../../support/browserless";
import { logInOverHttp, reachCallback } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";
import { until } from "../../support/until";

const DISCOVERY = "/realms/demo/.well-known/openid-configuration";
/** The window of the second stack: short, so that a contact can be waited out. */
const SHORT_WINDOW_MS = 1000;

let stack: Stack;
let short: Stack;
beforeAll(async () => {
  [stack, short] = await Promise.all([
    startStack(), // the default window
    startStack({ env: { IDP_CONTACT_WINDOW_MS: String(SHORT_WINDOW_MS) } }),
  ]);
});
afterAll(() => Promise.all([stack?.stop(), short?.stop()]));
afterEach(() => {
  for (const s of [stack, short]) Object.assign(s.idp.faults, { down: false, failTokenEndpoint: false });
});

/** A signed-in browser; returns when the callback (the token request, a contact) answered. */
async function signedIn(s: Stack) {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app: s.app.url, idp: s.idp.url })).status).toBe(302);
  return { jar, contactAt: Date.now() };
}

const probes = (s: Stack) => s.idp.requests.filter((r) => r.method === "GET" && r.path === DISCOVERY).length;
const logOut = (s: Stack, jar: CookieJar) => browse(jar, `${s.app.url}/logout`, { form: {} });
const startLogin = (s: Stack) => browse(new CookieJar(), `${s.app.url}/auth/demo/login`);
const isEndSession = (s: Stack, response: Response) =>
  response.status === 302 && response.headers.get("location")!.startsWith(`${s.idp.issuer("demo")}/protocol/`);

/** Resolves once `ms` have passed since `at`: a contact only grows older, so waiting longer changes nothing. */
const olderThan = (at: number, ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at + ms + 50 - Date.now())));

describe("right after the provider answered", () => {
  it("a logout sends the browser to the end-session endpoint without asking the provider first", async () => {
    const { jar } = await signedIn(stack);
    stack.idp.clearRequests();
    const logout = await logOut(stack, jar);
    expect(isEndSession(stack, logout)).toBe(true);
    expect(probes(stack)).toBe(0);
    expect(stack.idp.requests).toEqual([]);
  });

  it("a login start sends the browser to the login form without asking the provider first", async () => {
    await signedIn(stack);
    stack.idp.clearRequests();
    const login = await startLogin(stack);
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toContain("/protocol/openid-connect/auth?");
    expect(stack.idp.requests).toEqual([]);
  });
});

describe("after a request the provider did not answer", () => {
  it("the next login start asks again, and goes on once the provider answers", async () => {
    await signedIn(stack);
    const jar = new CookieJar();
    const callbackUrl = await reachCallback(jar, { app: stack.app.url, idp: stack.idp.url });
    stack.idp.faults.failTokenEndpoint = true;
    expect((await browse(jar, callbackUrl)).status).toBe(503);
    stack.idp.faults.failTokenEndpoint = false;
    stack.idp.clearRequests();
    const login = await startLogin(stack);
    expect(login.status).toBe(302);
    expect(probes(stack)).toBe(1);
  });
});

describe("after the window", () => {
  it("a logout asks the provider again", async () => {
    const { jar, contactAt } = await signedIn(short);
    await olderThan(contactAt, SHORT_WINDOW_MS);
    short.idp.clearRequests();
    expect(isEndSession(short, await logOut(short, jar))).toBe(true);
    expect(probes(short)).toBe(1);
  });

  it("a logout while the provider is down ends on the app's own page, not the browser's error page", async () => {
    const { jar, contactAt } = await signedIn(short);
    await olderThan(contactAt, SHORT_WINDOW_MS);
    short.idp.faults.down = true;
    const logout = await logOut(short, jar);
    expect(logout.status).toBe(303);
    expect(logout.headers.get("location")).toBe("/logout/incomplete?reason=idp_unreachable&realm=demo");
  });

  it("a login start while the provider is down shows the app's unreachable page", async () => {
    const { contactAt } = await signedIn(short);
    await olderThan(contactAt, SHORT_WINDOW_MS);
    short.idp.faults.down = true;
    expect((await startLogin(short)).status).toBe(503);
  });
});

describe("a page with Log in or Log out, after the window", () => {
  it("asks the provider while the page is read, so the Log in click does not wait for it", async () => {
    const { contactAt } = await signedIn(short);
    await olderThan(contactAt, SHORT_WINDOW_MS);
    short.idp.clearRequests();
    const home = await browse(new CookieJar(), `${short.app.url}/`);
    expect(await home.text()).toContain('href="/login"');
    await until(() => probes(short) >= 1); // a page view asks in the background
    const login = await startLogin(short);
    expect(login.headers.get("location")).toContain("/protocol/openid-connect/auth?");
    expect(probes(short)).toBe(1);
  });

  it("asks the signed-in user's provider while the page is read, so the Log out click does not wait for it", async () => {
    const { jar, contactAt } = await signedIn(short);
    await olderThan(contactAt, SHORT_WINDOW_MS);
    short.idp.clearRequests();
    expect(await (await browse(jar, `${short.app.url}/`)).text()).toContain('action="/logout"');
    await until(() => probes(short) >= 1); // a page view asks in the background
    expect(isEndSession(short, await logOut(short, jar))).toBe(true);
    expect(probes(short)).toBe(1);
  });

  it("a page read while the provider is down leaves the click to ask again: the app's own page", async () => {
    const { contactAt } = await signedIn(short);
    await olderThan(contactAt, SHORT_WINDOW_MS);
    short.idp.faults.down = true;
    expect((await browse(new CookieJar(), `${short.app.url}/`)).status).toBe(200);
    expect((await startLogin(short)).status).toBe(503);
  });

  it("asks nothing with a window of 0: every click asks for itself", async () => {
    const zero = await startStack({ env: { IDP_CONTACT_WINDOW_MS: "0" } });
    try {
      await startLogin(zero); // discovery, once
      zero.idp.clearRequests();
      await browse(new CookieJar(), `${zero.app.url}/`);
      await olderThan(Date.now(), 300);
      expect(probes(zero)).toBe(0);
      await startLogin(zero);
      expect(probes(zero)).toBe(1);
    } finally {
      await zero.stop();
    }
  });
});
