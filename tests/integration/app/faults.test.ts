// What the user sees when the identity provider misbehaves: never a hang, never a 500.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { reachCallback as reachCallbackAt } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack({ env: { IDP_TIMEOUT_MS: "1000" } });
  app = stack.app.url;
});
afterAll(() => stack?.stop());
afterEach(() =>
  Object.assign(stack.idp.faults, {
    down: false,
    delayMs: 0,
    failTokenEndpoint: false,
    failUserinfo: false,
    clockSkewSeconds: 0,
  }),
);

/** Signs in at the IdP; returns the callback URL, not yet visited, and the cookies the browser would send there. */
async function reachCallback(jar = new CookieJar()) {
  const callbackUrl = await reachCallbackAt(jar, { app, idp: stack.idp.url });
  return { jar, callbackUrl, cookie: jar.header(callbackUrl) };
}

async function expectErrorPage(response: Response, status: number, title: string) {
  expect(response.status).toBe(status);
  const html = await response.text();
  expect(textOf(html)).toContain(title);
  expect(html).toContain('href="/auth/demo/login"');
  expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("__session="))).toBe(false);
}

describe("the IdP failing during login", () => {
  it("is down at the code exchange: 503 with a retry link", async () => {
    const { jar, callbackUrl } = await reachCallback();
    stack.idp.faults.down = true;
    await expectErrorPage(await browse(jar, callbackUrl), 503, "The identity provider is unreachable");
  });

  it("answers the code exchange with 503: 503 with a retry link", async () => {
    const { jar, callbackUrl } = await reachCallback();
    stack.idp.faults.failTokenEndpoint = true;
    await expectErrorPage(await browse(jar, callbackUrl), 503, "The identity provider is unreachable");
  });

  it("is slower than the timeout: the request ends with 503 instead of hanging", async () => {
    const { jar, callbackUrl } = await reachCallback();
    stack.idp.faults.delayMs = 10_000;
    await expectErrorPage(await browse(jar, callbackUrl), 503, "The identity provider is unreachable");
  });
});

describe("replays", () => {
  it("refuses the same authorization code twice, even with the original cookies: no second session", async () => {
    const { jar, callbackUrl, cookie } = await reachCallback();
    expect((await browse(jar, callbackUrl)).status).toBe(302);
    const replay = await fetch(callbackUrl, { headers: { cookie }, redirect: "manual" });
    await expectErrorPage(replay, 400, "Sign-in could not be completed");
  });
});

describe("clock skew between the app and the IdP", () => {
  it.each([120, -120])("logs in when the IdP's clock is %i s off", async (skew) => {
    stack.idp.faults.clockSkewSeconds = skew;
    const { jar, callbackUrl } = await reachCallback();
    expect((await browse(jar, callbackUrl)).status).toBe(302);
  });

  it.each([600, -600])("refuses with a clear message when it is %i s off", async (skew) => {
    stack.idp.faults.clockSkewSeconds = skew;
    const { jar, callbackUrl } = await reachCallback();
    await expectErrorPage(
      await browse(jar, callbackUrl),
      503,
      "The clocks of this app and the identity provider differ",
    );
  });
});
