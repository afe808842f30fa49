import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../support/browserless";
import { continueIdpLogout, logInOverHttp, sessionIn } from "../support/login";
import { startStack, type Stack } from "../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack({ env: { KEYCLOAK_LOGOUT_METHOD: "redirect" } });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

const inIdp = (url: string) => url.startsWith(stack.idp.url);

async function logIn() {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app, idp: stack.idp.url })).status).toBe(302);
  return { jar, idToken: (await sessionIn(jar, app))!.idToken };
}

/** Logs out (redirect mode) and returns where the IdP sends the browser back, not yet visited. */
async function logOutAtIdp(jar: CookieJar) {
  const logout = await browse(jar, `${app}/logout`, { form: {} });
  const callbackUrl = await continueIdpLogout(jar, await follow(jar, logout, app, inIdp), stack.idp.url);
  return { logout, callbackUrl };
}

describe("redirect mode (KEYCLOAK_LOGOUT_METHOD=redirect)", () => {
  it("redirects to the end-session URL with the hint, the client, the callback and a state", async () => {
    const { jar, idToken } = await logIn();
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(302);
    const location = new URL(logout.headers.get("location")!);
    const state = location.searchParams.get("state")!;
    expect(logout.headers.get("location")).toBe(
      `${stack.idp.issuer("demo")}/protocol/openid-connect/logout?id_token_hint=${idToken}&client_id=remix-app` +
        `&post_logout_redirect_uri=${encodeURIComponent(`${app}/logout/callback`)}&state=${state}`,
    );
  });
});

describe("the logout state", () => {
  it("is checked at the callback: the user sees the logged-out page and the log says nothing is wrong", async () => {
    const { jar } = await logIn();
    const { callbackUrl } = await logOutAtIdp(jar);
    const page = await browse(jar, callbackUrl);
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain("You are logged out");
    expect(page.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^oidc-logout-state=; Path=\/logout\/callback; .*Max-Age=0/));
    expect(stack.app.output()).not.toContain("state_check_failed");
  });

  it.each([
    ["forged", (url: URL) => url.searchParams.set("state", "forged-state")],
    ["missing", (url: URL) => url.searchParams.delete("state")],
  ])("when %s, still shows the logged-out page and logs the mismatch", async (kind, tamper) => {
    const { jar } = await logIn();
    const { callbackUrl } = await logOutAtIdp(jar);
    const url = new URL(callbackUrl);
    tamper(url);
    const before = stack.app.output().length;
    const page = await browse(jar, url.href);
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain("You are logged out");
    const log = stack.app.output().slice(before);
    expect(log).toContain('"outcome":"state_check_failed"');
    expect(log).toContain(kind === "forged" ? "logout state mismatch" : "logout state missing");
  });

  it("is single-use: the same callback replayed with the same cookie is logged as a replay", async () => {
    const { jar } = await logIn();
    const { callbackUrl } = await logOutAtIdp(jar);
    const cookie = jar.header(callbackUrl);
    expect(cookie).toMatch(/oidc-logout-state=/);
    await fetch(callbackUrl, { headers: { cookie } });
    const before = stack.app.output().length;
    const replay = await fetch(callbackUrl, { headers: { cookie } });
    expect(replay.status).toBe(200);
    expect(stack.app.output().slice(before)).toContain("logout state replayed");
  });
});
