// Issue 28.5: the provider refuses the app's own credentials (a wrong client secret). Every login fails alike
// until an administrator fixes it, so the page says so, names the request id of the log line, and lets the user
// end the provider's session the login opened, instead of a "Try again" that loops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, button, CookieJar, decodeEntities, follow, formOf, textOf } from "../../support/browserless";
import { reachCallback } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack({ env: { KEYCLOAK_CLIENT_SECRET: "not-the-client-secret" } });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

describe("a client secret the provider refuses", () => {
  it("says the app is misconfigured, with the request id of its log line, and offers no retry that loops", async () => {
    const jar = new CookieJar();
    const callbackUrl = await reachCallback(jar, { app, idp: stack.idp.url });
    const callback = await browse(jar, callbackUrl, { headers: { "X-Request-Id": "report-me-42" } });

    expect(callback.status).toBe(502);
    const html = await callback.text();
    const text = decodeEntities(textOf(html));
    expect(text).toContain("This app cannot sign anyone in just now");
    expect(text).toContain("refused this app's own credentials, so the sign-in failed through no fault of yours");
    expect(text).toContain("mention the request id report-me-42");
    expect(html).not.toContain('href="/auth/demo/login"');
    expect(html).toMatch(/<a class="button" href="\/">Back to home<\/a>/);
    expect(callback.headers.getSetCookie().some((cookie) => cookie.startsWith("__session="))).toBe(false);

    const failed = stack.app
      .output()
      .split("\n")
      .find((line) => line.includes('"event":"login_failed"') && line.includes("report-me-42"));
    expect(failed).toMatch(/"code":"client_rejected"/);
    expect(failed).toContain("invalid_client");
    expect(failed).not.toContain("not-the-client-secret");
  });

  it("lets the user end the provider's session the failed login opened", async () => {
    const jar = new CookieJar();
    const callbackUrl = await reachCallback(jar, { app, idp: stack.idp.url });
    const page = await browse(jar, callbackUrl);
    const html = await page.text();
    expect(decodeEntities(textOf(html))).toContain("You may still be signed in at");
    const { action } = formOf(html, callbackUrl);
    expect(action).toBe(`${app}/auth/demo/logout`);

    const signOut = await browse(jar, action, { form: {}, headers: { Origin: app } });
    const endSession = new URL(signOut.headers.get("location")!);
    expect(endSession.pathname).toBe("/realms/demo/protocol/openid-connect/logout");
    // Without an ID token to hint with, the provider asks first.
    const asked = await follow(jar, signOut, app, stack.idp.url);
    expect(asked.html).toContain("Do you want to log out?");
    const confirm = formOf(asked.html!, asked.url);
    const fields = { ...confirm.fields, ...button(asked.html!, "Logout") };
    const back = (await follow(jar, await browse(jar, confirm.action, { form: fields }), confirm.action, stack.idp.url))
      .url;
    expect(back).toBe(`${app}/logout/callback?state=${endSession.searchParams.get("state")}`);
    expect(textOf(await (await browse(jar, back)).text())).toContain("You are logged out");

    // The provider's session is gone: the next login asks for the password again.
    const again = await follow(jar, await browse(jar, `${app}/auth/demo/login`), app, stack.idp.url);
    expect(again.url, "the login went straight back to the app").toContain(stack.idp.url);
    expect(again.html).toMatch(/name="password"/);
  });
});
