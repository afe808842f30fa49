// The app session ends when Keycloak's does, with no back-channel logout: a realm of its own whose SSO Session
// Idle is 30 s, the app checking each session with Keycloak (a refresh grant) once its last check is 5 s old
// (SESSION_CHECK_INTERVAL=5). Measured on Keycloak 26.7.3 first: 40 s after the last refresh the admin API lists
// no session, the refresh token (exp = iat + 30) is refused with "Token is not active", and Keycloak's login
// page asks for the password; no two-minute grace window showed. One user idles past it, another stays active, a
// third is signed out by an admin (the client has no back-channel logout URL).
import { decodeJwt } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { KeycloakAdmin, keycloakUrl, startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { logInAtKeycloak } from "../../support/keycloak-login";
import { createTokensRealm, READER, withoutBackchannelLogout } from "../../support/keycloak-tokens-realm";
import { sessionIn } from "../../support/login";

const REALM = "session-idle";
const SSO_SESSION_IDLE = 30;

let stack: KeycloakStack;
let admin: KeycloakAdmin;
let app: string;
let keycloak: string;
beforeAll(async () => {
  admin = new KeycloakAdmin(keycloakUrl());
  // Access tokens outlive the idle timeout: only the session check renews them.
  await createTokensRealm(admin, REALM, { ssoSessionIdleTimeout: SSO_SESSION_IDLE, accessTokenLifespan: 300 });
  stack = await startKeycloakStack({ realms: [REALM], env: { SESSION_CHECK_INTERVAL: "5" } });
  app = stack.app.url;
  keycloak = stack.idp.url;
  await withoutBackchannelLogout(admin, REALM);
});
afterAll(() => stack?.stop());

const logIn = async (username: string) => {
  const jar = new CookieJar();
  await logInAtKeycloak(jar, { app, keycloak, realm: REALM, username });
  return { jar, sid: decodeJwt((await sessionIn(jar, app))!.idToken).sid as string };
};
const sessionIds = async (username: string) => (await admin.sessions(REALM, username)).map((session) => session.id);
const signedInAs = (html: string) => /data-testid="username">([^<]*)</.exec(html)?.[1] ?? null;

it("idle past SSO Session Idle, the next page asks for the password; active every few seconds past it, the user stays signed in at the app and at Keycloak; signed out by an admin, the next page after the interval is the login", async () => {
  const [idle, active] = [await logIn("demo"), await logIn(READER.username)];
  const started = Date.now();

  const idleUser = async () => {
    // Keycloak ends the idle session by itself (its admin API lists it no more): the app was not told.
    await expect.poll(() => sessionIds("demo"), { timeout: 90_000, interval: 2_000 }).not.toContain(idle.sid);
    const home = await browse(idle.jar, `${app}/`);
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe(`/login?${new URLSearchParams({ returnTo: "/" })}`);
    expect(await sessionIn(idle.jar, app)).toBeNull();
    // The app's login (no loop: the cookie is gone), then Keycloak's form: its session is gone too.
    const toKeycloak = await follow(idle.jar, home, `${app}/`, app);
    expect(toKeycloak.url.startsWith(`${keycloak}/realms/${REALM}/protocol/openid-connect/auth?`)).toBe(true);
    const login = await follow(idle.jar, await browse(idle.jar, toKeycloak.url), toKeycloak.url, keycloak);
    expect(textOf(login.html!)).toContain("Sign in to your account");
  };

  // An admin signs the user out; the client has no back-channel logout URL, so only the check can tell the app.
  const signedOutByAdmin = async () => {
    const { jar, sid } = await logIn("big");
    await admin.request("POST", `/${REALM}/users/${await admin.userId(REALM, "big")}/logout`);
    expect(await sessionIds("big")).not.toContain(sid);
    // The home page reads only the user: once the session's last check is 5 s old, it sends the user to log in.
    await expect
      .poll(async () => (await browse(jar, `${app}/`)).status, { timeout: 30_000, interval: 1_000 })
      .toBe(302);
    expect(await sessionIn(jar, app)).toBeNull();
  };

  const activeUser = async (idleDone: () => boolean) => {
    // A page every 3 s until the idle user is out and the idle timeout has passed well over.
    while (!idleDone() || Date.now() - started < (SSO_SESSION_IDLE + 10) * 1000) {
      const page = await browse(active.jar, `${app}/`);
      expect(page.status).toBe(200);
      expect(signedInAs(await page.text())).toBe(READER.username);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    // Keycloak's session lives on, renewed by the app's checks: its login page signs the user in without a password.
    expect(await sessionIds(READER.username)).toContain(active.sid);
    const again = await browse(active.jar, `${app}/auth/${REALM}/login`);
    const back = await follow(active.jar, again, `${app}/auth/${REALM}/login`, keycloak);
    expect(back.html, back.html && textOf(back.html).slice(0, 300)).toBeUndefined();
    expect(back.url.startsWith(`${app}/auth/${REALM}/callback?`)).toBe(true);
  };

  let idleDone = false;
  await Promise.all([idleUser().finally(() => (idleDone = true)), activeUser(() => idleDone), signedOutByAdmin()]);
  expect(stack.app.output()).toMatch(
    new RegExp(`"event":"token_refresh","realm":"${REALM}","sub":"[^"]+","outcome":"session_ended"`),
  );
});
