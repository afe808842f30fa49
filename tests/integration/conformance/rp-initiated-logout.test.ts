// OpenID Foundation plan "RP-Initiated Logout RP" (oidcc-client-rp-initiated-logout-rp-basic):
// the app logs out at the provider's end_session_endpoint with id_token_hint,
// post_logout_redirect_uri and state, and completes the logout only when the
// provider comes back with that state. The provider is a hand-written one
// (tests/support/logout-provider.ts) that comes back with whatever state a test says.
//
// The "Front-Channel Logout RP" plan (oidcc-client-test-rp-frontchannel-rpinitlogout)
// has no test: the app has no front-channel logout yet (issue 24 builds it).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { sessionIn } from "../../support/login";
import {
  logIn,
  logLines,
  logOut,
  openAccount,
  startLogoutStack,
  type LogoutStack,
} from "../../support/logout-provider";

let stack: LogoutStack;
beforeAll(async () => {
  stack = await startLogoutStack();
});
afterAll(() => stack?.stop());
beforeEach(() => {
  stack.logout.stateBack = (state) => state;
  stack.logout.deliveries.length = 0;
});

const LOGGED_OUT = "Your session in this app and at your identity provider has ended.";

/** The app's own session is gone: no session cookie, and /account sends the browser to log in. */
async function expectNoSession(jar: CookieJar) {
  expect(await sessionIn(jar, stack.rp.url)).toBeNull();
  const account = await openAccount(jar, stack);
  expect(account.status).toBe(302);
  expect(account.location).toBe("/login?returnTo=%2Faccount");
}

describe("OpenID Foundation RP-Initiated Logout RP test modules", () => {
  it('oidcc-client-test-rp-init-logout: sends id_token_hint, post_logout_redirect_uri and state to end_session_endpoint, and shows "You are logged out" when the provider comes back with that state', async () => {
    const jar = new CookieJar();
    await logIn(jar, stack);
    const { endSession, back } = await logOut(jar, stack);
    expect(endSession).toEqual({
      id_token_hint: stack.idTokens.at(-1),
      client_id: "remix-app",
      post_logout_redirect_uri: `${stack.rp.url}/logout/callback`,
      state: expect.stringMatching(/^[\w-]{32}$/),
    });
    // The module sends a back-channel logout too, to an RP that registered a back-channel URI.
    expect(stack.logout.deliveries).toEqual([{ status: 200, cacheControl: "no-store", body: {} }]);
    expect(back).toBe(`${stack.rp.url}/logout/callback?state=${endSession.state}`);

    const logFrom = stack.rp.output().length;
    const page = await browse(jar, back);
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain(LOGGED_OUT);
    expect(page.headers.get("clear-site-data")).toBeNull();
    expect(page.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(/^oidc-logout-state=; Max-Age=0; Path=\/logout\/callback;/),
    );
    expect(stack.rp.output().slice(logFrom)).not.toContain("state_check_failed");
    await expectNoSession(jar);
  });

  it.each([
    [
      "oidcc-client-test-rp-init-logout-other-state",
      "another state",
      () => `other-${randomUUID()}`,
      "logout state mismatch",
    ],
    ["oidcc-client-test-rp-init-logout-no-state", "no state", () => undefined, "logout state missing"],
  ])(
    '%s: does not take the provider coming back with %s as the end of its logout: 400 "This logout link is not valid", no cookie touched, no Clear-Site-Data',
    async (_module, _label, stateBack, logged) => {
      const jar = new CookieJar();
      await logIn(jar, stack);
      stack.logout.stateBack = stateBack;
      const { endSession, back } = await logOut(jar, stack);
      expect(endSession.state).toMatch(/^[\w-]{32}$/);
      expect(new URL(back).searchParams.get("state")).not.toBe(endSession.state);

      const logFrom = stack.rp.output().length;
      const page = await browse(jar, back);
      expect(page.status).toBe(400);
      expect(page.headers.getSetCookie()).toEqual([]);
      expect(page.headers.get("clear-site-data")).toBeNull();
      const text = textOf(await page.text());
      expect(text).toContain("This logout link is not valid");
      expect(text).not.toContain(LOGGED_OUT);
      // The log line may reach this process after the response it belongs to.
      const stateChecks = () =>
        logLines(stack.rp, logFrom, "logout").filter(({ outcome }) => outcome === "state_check_failed");
      await expect.poll(stateChecks).toHaveLength(1);
      expect(stateChecks()[0]!.detail).toBe(logged);
      // The app ended its own session before sending the browser to the provider.
      await expectNoSession(jar);
    },
  );
});
