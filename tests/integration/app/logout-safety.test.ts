import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { logInOverHttp } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  // IDP_CONTACT_WINDOW_MS 0: the IdP goes down moments after its last answer; the default window would trust that
  // answer (docs/decisions/011, tests/integration/app/provider-contact.test.ts).
  stack = await startStack({ env: { SESSION_MAX_AGE: "3", IDP_CONTACT_WINDOW_MS: "0" } });
  app = stack.app.url;
});
afterAll(() => stack?.stop());
afterEach(() => {
  stack.idp.faults.down = false;
});

async function logIn() {
  const jar = new CookieJar();
  await logInOverHttp(jar, { app, idp: stack.idp.url });
  expect((await browse(jar, `${app}/account`)).status).toBe(200);
  return jar;
}

describe("logout that cannot be forged", () => {
  it.each([
    ["an Origin of another site", { Origin: "https://evil.example" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["a null Origin (sandboxed frame)", { Origin: "null" }],
  ])("refuses a POST /logout with %s: 403, session intact", async (_label, headers) => {
    const jar = await logIn();
    const response = await browse(jar, `${app}/logout`, { form: {}, headers });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });

  it("accepts a POST /logout from the app's own origin", async () => {
    const jar = await logIn();
    const response = await browse(jar, `${app}/logout`, {
      form: {},
      headers: { Origin: app, "Sec-Fetch-Site": "same-origin" },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/\/protocol\/openid-connect\/logout\?id_token_hint=/);
  });

  it.each(["GET", "PUT", "DELETE"])("answers %s /logout without logging out", async (method) => {
    const jar = await logIn();
    const response = await fetch(`${app}/logout`, {
      method,
      headers: { cookie: jar.header(app), Origin: app },
      redirect: "manual",
    });
    expect(response.status).toBe(method === "GET" ? 303 : 405);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });
});

describe("the Retry route, /auth/:realm/logout (issue 23.3)", () => {
  const retry = `/auth/demo/logout`;

  it("starts no logout at the provider for a GET (a link, or a page on another site): home, no logout state, session intact", async () => {
    const jar = await logIn();
    const response = await browse(jar, `${app}${retry}`, { headers: { "Sec-Fetch-Site": "cross-site" } });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(textOf(await (await browse(jar, `${app}/account`)).text())).toContain("Signed in as demo");
  });

  it.each([
    ["an Origin of another site", { Origin: "https://evil.example" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["a null Origin (sandboxed frame)", { Origin: "null" }],
  ])("refuses a POST with %s: 403, no logout state", async (_label, headers) => {
    const jar = await logIn();
    const response = await browse(jar, `${app}${retry}`, { form: {}, headers });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });

  it("sends a same-origin POST to the provider's end-session endpoint, without a hint, with a state bound to this browser", async () => {
    const jar = new CookieJar();
    const response = await browse(jar, `${app}${retry}`, {
      form: {},
      headers: { Origin: app, "Sec-Fetch-Site": "same-origin" },
    });
    expect(response.status).toBe(302);
    const endSession = new URL(response.headers.get("location")!);
    expect(endSession.href.startsWith(`${stack.idp.url}/realms/demo/protocol/openid-connect/logout?`)).toBe(true);
    expect(endSession.searchParams.has("id_token_hint")).toBe(false);
    expect(endSession.searchParams.get("client_id")).toBe("remix-app");
    expect(endSession.searchParams.get("state")).toBeTruthy();
    expect(jar.names(`${app}/logout/callback`)).toEqual(["oidc-logout-state"]);
  });
});

describe("logout that never gets stuck", () => {
  it("ends the app session and shows our page, not a dead redirect, when the IdP is down but discovery was cached", async () => {
    const jar = await logIn();
    const copy = jar.header(app);
    stack.idp.faults.down = true;
    const response = await browse(jar, `${app}/logout`, { form: {} });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/logout/incomplete?reason=idp_unreachable&realm=demo");
    expect(jar.names(app)).toEqual([]);
    const page = await browse(jar, `${app}${response.headers.get("location")}`);
    expect(page.status).toBe(503);
    expect(textOf(await page.text())).toContain(
      "Your session in this app has ended; your session at demo may still be open",
    );
    // Issue 14.3: a copy of the cookie taken before that logout signs in nowhere.
    const replayed = await fetch(`${app}/account`, { headers: { cookie: copy }, redirect: "manual" });
    expect(replayed.status).toBe(302);
  });

  it("answers login with our 503 page, not a redirect to a dead IdP, when discovery was cached", async () => {
    await logIn(); // discovery is cached now
    stack.idp.faults.down = true;
    const response = await fetch(`${app}/auth/demo/login`, { redirect: "manual" });
    expect(response.status).toBe(503);
    expect(textOf(await response.text())).toContain("The identity provider is unreachable");
    stack.idp.faults.down = false;
    expect((await fetch(`${app}/auth/demo/login`, { redirect: "manual" })).status).toBe(302);
  });

  it("refuses a copy of the session cookie after a completed logout too (issue 14.3)", async () => {
    const jar = await logIn();
    const copy = jar.header(app);
    const response = await browse(jar, `${app}/logout`, { form: {} });
    expect(response.status).toBe(302);
    const replayed = await fetch(`${app}/account`, { headers: { cookie: copy }, redirect: "manual" });
    expect(replayed.status).toBe(302);
    expect(replayed.headers.get("location")).toBe("/login?returnTo=%2Faccount");
  });
});

describe("absolute session lifetime", () => {
  it("ends the session SESSION_MAX_AGE after login, however active the user is", async () => {
    const jar = await logIn();
    for (let i = 0; i < 3; i++) {
      expect((await browse(jar, `${app}/account`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expired = await browse(jar, `${app}/account`);
    expect(expired.status).toBe(302);
    expect(expired.headers.get("location")).toBe("/login?returnTo=%2Faccount");
  });
});
