// OpenID Foundation plan "Front-Channel Logout RP" (oidcc-client-frontchannel-rp-initiated-logout-rp):
// the user logs out of the app (RP-initiated logout); the provider's end-session
// page frames the app's frontchannel_logout_uri with `iss` and the session's `sid`
// (Front-Channel Logout 1.0, 4), then the browser goes back to the app. The frame
// is loaded across sites, so it carries none of the app's cookies: the app must
// find the session by `sid` alone, answer a page the provider may frame, and
// leave the user's other sessions (other `sid`s) alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { sessionIn } from "../../support/login";
import { logIn, logLines, openAccount, startLogoutStack, type LogoutStack } from "../../support/logout-provider";

let stack: LogoutStack;
beforeAll(async () => {
  stack = await startLogoutStack({ frontchannel: true });
  stack.logout.logoutToken = async () => undefined;
});
afterAll(() => stack?.stop());

describe("OpenID Foundation Front-Channel Logout RP test module", () => {
  it("oidcc-client-test-rp-frontchannel-rpinitlogout: answers the framed logout URL by sid without cookies, framable by the provider, and goes back to the logged-out page", async () => {
    const otherBrowser = new CookieJar();
    await logIn(otherBrowser, stack);
    const jar = new CookieJar();
    await logIn(jar, stack);
    const logFrom = stack.rp.output().length;

    const logout = await browse(jar, `${stack.rp.url}/logout`, { form: {} });
    const endSession = logout.headers.get("location")!;
    expect(endSession.startsWith(`${stack.logout.endSessionEndpoint}?`)).toBe(true);
    const providerPage = await (await browse(jar, endSession)).text();
    const frameUrl = /<iframe src="([^"]+)"/.exec(providerPage)![1]!.replaceAll("&amp;", "&");
    expect(frameUrl).toMatch(new RegExp(`^${stack.rp.url}/auth/demo/frontchannel-logout\\?iss=.+&sid=.+`));

    // As the browser loads the frame: across sites, no cookie of the app's.
    const frame = await fetch(frameUrl);
    expect(frame.status).toBe(200);
    expect(frame.headers.get("cache-control")).toBe("no-store");
    expect(frame.headers.get("content-security-policy")).toContain(
      `frame-ancestors ${new URL(stack.provider.issuer).origin};`,
    );
    expect(frame.headers.get("x-frame-options")).toBeNull();
    expect(logLines(stack.rp, logFrom, "frontchannel_logout")).toEqual([
      expect.objectContaining({ realm: "demo", outcome: "success" }),
    ]);

    const back = /<a id="continue" href="([^"]+)"/.exec(providerPage)![1]!.replaceAll("&amp;", "&");
    const page = await browse(jar, back);
    expect(textOf(await page.text())).toContain("Your session in this app and at your identity provider has ended.");
    expect(await sessionIn(jar, stack.rp.url)).toBeNull();
    // The provider session of the other browser was not the one logged out.
    expect((await openAccount(otherBrowser, stack)).status).toBe(200);
  });
});
