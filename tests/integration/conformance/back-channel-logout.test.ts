// OpenID Foundation plan "Back-Channel Logout RP" (oidcc-client-back-channel-logout-rp-basic):
// the user logs out of the app (RP-initiated logout), and while the browser is
// at the provider's end_session_endpoint the provider POSTs a logout token to
// the app's back-channel logout URI; then it sends the browser back. The app
// answers a valid token 200 and a bad one 400, with Cache-Control: no-store.
//
// The provider (tests/support/logout-provider.ts) issues no `sid`, so its
// logout tokens name the user by `sub`: an accepted one also ends the session
// the user has in another browser, a refused one leaves it. That is how each
// test shows what the app did with the token, beyond its status: the session
// being logged out has already been ended by the app itself.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_CLIENT } from "../../support/app";
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
let clientSecretKey: CryptoKey;
beforeAll(async () => {
  stack = await startLogoutStack();
  const secret = new TextEncoder().encode(TEST_CLIENT.clientSecret);
  clientSecretKey = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
});
afterAll(() => stack?.stop());
beforeEach(() => {
  stack.logout.logoutToken = () => stack.logout.signLogoutToken();
  stack.logout.deliveries.length = 0;
});

const sign: LogoutStack["logout"]["signLogoutToken"] = (claims, options) =>
  stack.logout.signLogoutToken(claims, options);

/** The same token with its header saying alg "none" and no signature. */
async function withAlgNone(token: Promise<string>): Promise<string> {
  const [, payload] = (await token).split(".");
  const header = Buffer.from(JSON.stringify({ alg: "none", typ: "logout+jwt" })).toString("base64url");
  return `${header}.${payload}.`;
}

/**
 * Logs user-1 in twice (another browser first, then this one), logs this one
 * out while the provider sends the logout token, and follows the browser back:
 * it must see the logged-out page and hold no session. Returns the other
 * browser, and the app's log lines about the token.
 */
async function logOutWith(logoutToken: () => Promise<string>) {
  const otherBrowser = new CookieJar();
  await logIn(otherBrowser, stack);
  const jar = new CookieJar();
  await logIn(jar, stack);
  stack.logout.logoutToken = logoutToken;
  const logFrom = stack.rp.output().length;

  const { back } = await logOut(jar, stack);
  const page = await browse(jar, back);
  expect(page.status).toBe(200);
  expect(textOf(await page.text())).toContain("Your session in this app and at your identity provider has ended.");
  expect(await sessionIn(jar, stack.rp.url)).toBeNull();

  await expect.poll(() => logLines(stack.rp, logFrom, "backchannel_logout")).toHaveLength(1);
  return { otherBrowser, logged: logLines(stack.rp, logFrom, "backchannel_logout")[0]! };
}

describe("OpenID Foundation Back-Channel Logout RP test modules", () => {
  it("oidcc-client-test-rp-backchannel-rpinitlogout: answers the provider's logout token 200 with no-store, and ends the user's session in another browser", async () => {
    const { otherBrowser, logged } = await logOutWith(() => sign());
    expect(stack.logout.deliveries).toEqual([{ status: 200, cacheControl: "no-store", body: {} }]);
    expect(logged).toMatchObject({ realm: "demo", sub: "user-1", outcome: "success" });
    const account = await openAccount(otherBrowser, stack);
    expect(account.status).toBe(302);
    expect(account.location).toBe("/login?returnTo=%2Faccount");
    expect(otherBrowser.names(stack.rp.url)).not.toContain("__session");
  });

  it.each([
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-alg-none",
      "signed with alg none",
      () => withAlgNone(sign()),
      /^ERR_JOSE_ALG_NOT_ALLOWED: "alg" \(Algorithm\) Header Parameter value not allowed$/,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-no-event",
      "without an events claim",
      () => sign({ events: undefined }),
      /^events has no back-channel logout event$/,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-with-nonce",
      "with a nonce",
      () => sign({ nonce: "n-0S6_WzA2Mj" }),
      /^a logout token must not have a nonce$/,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-wrong-alg",
      "signed ES256 with a key of the provider's JWKS, by a provider that announces RS256",
      () => sign({}, { key: stack.logout.unusedKey, alg: "ES256", kid: "es1" }),
      /^ERR_JOSE_ALG_NOT_ALLOWED: /,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-wrong-alg",
      "signed HS256 with the client secret",
      () => sign({}, { key: clientSecretKey, alg: "HS256" }),
      /^ERR_JOSE_ALG_NOT_ALLOWED: /,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-wrong-aud",
      "for another client",
      () => sign({ aud: "another-client" }),
      /^ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "aud" claim value$/,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-wrong-event",
      "with another event only",
      () => sign({ events: { "http://schemas.openid.net/event/foobar": {} } }),
      /^events has no back-channel logout event$/,
    ],
    [
      "oidcc-client-test-rp-backchannel-rpinitlogout-wrong-iss",
      "from another issuer",
      () => sign({ iss: "https://op.example.com/realms/demo" }),
      /^ERR_JWT_CLAIM_VALIDATION_FAILED: unexpected "iss" claim value$/,
    ],
  ])(
    "%s: answers a logout token %s with 400 and no-store, and keeps the user's session in another browser",
    async (_module, _label, logoutToken, why) => {
      const { otherBrowser, logged } = await logOutWith(logoutToken);
      expect(stack.logout.deliveries).toEqual([
        {
          status: 400,
          cacheControl: "no-store",
          body: { error: "invalid_request", error_description: "invalid logout token" },
        },
      ]);
      expect(logged).toMatchObject({ realm: "demo", outcome: "refused" });
      expect(logged.detail).toMatch(why);
      const account = await openAccount(otherBrowser, stack);
      expect(account.status).toBe(200);
      expect(textOf(account.text)).toContain("A User");
    },
  );
});
