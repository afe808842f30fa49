// Login and logout against a real Keycloak (IDP=keycloak): the realm users
// import (keycloak/realm-export.json), both logout methods.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession, signInAtKeycloak, startKeycloakLogin } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

describe.each(["post", "redirect"] as const)("against Keycloak, KEYCLOAK_LOGOUT_METHOD=%s", (method) => {
  let stack: KeycloakStack;
  let app: string;
  let keycloak: string;
  beforeAll(async () => {
    stack = await startKeycloakStack({ env: { KEYCLOAK_LOGOUT_METHOD: method } });
    app = stack.app.url;
    keycloak = stack.idp.url;
  });
  afterAll(() => stack?.stop());

  it("logs in with code flow, PKCE S256 and a nonce, and Keycloak holds one session for the user", async () => {
    const jar = new CookieJar();
    const { authorizeUrl, page } = await startKeycloakLogin(jar, { app, keycloak });
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${keycloak}/realms/demo/protocol/openid-connect/auth`);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "remix-app",
      redirect_uri: `${app}/auth/demo/callback`,
      code_challenge_method: "S256",
    });
    const callbackUrl = new URL(await signInAtKeycloak(jar, page, { app, keycloak }));
    // RFC 9207: Keycloak names itself in the answer.
    expect(callbackUrl.searchParams.get("iss")).toBe(`${keycloak}/realms/demo`);
    const callback = await browse(jar, callbackUrl.href);
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/");

    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    expect(textOf(await account.text())).toMatch(/Signed in as demo Account/);
    const claims = decodeJwt((await sessionIn(jar, app))!.idToken);
    expect(claims).toMatchObject({ iss: `${keycloak}/realms/demo`, aud: "remix-app", azp: "remix-app", typ: "ID" });
    expect(claims.nonce).toBe(authorizeUrl.searchParams.get("nonce"));
    const sessions = await stack.admin.sessions("demo", "demo");
    expect(sessions.map((session) => session.id)).toContain(claims.sid);
    await logOut(jar);
  });

  it("refuses an authorization request without PKCE: the realm file requires S256", async () => {
    const jar = new CookieJar();
    const { authorizeUrl } = await startKeycloakLogin(jar, { app, keycloak });
    authorizeUrl.searchParams.delete("code_challenge");
    authorizeUrl.searchParams.delete("code_challenge_method");
    const refused = await browse(jar, authorizeUrl.href);
    // Keycloak sends the error back to the (valid) redirect URI.
    expect(refused.status).toBe(302);
    const back = new URL(refused.headers.get("location")!);
    expect(back.href.startsWith(`${app}/auth/demo/callback?`)).toBe(true);
    expect(back.searchParams.get("error")).toBe("invalid_request");
    expect(back.searchParams.get("error_description")).toBe("Missing parameter: code_challenge_method");
  });

  it("logs out at Keycloak without a prompt: no session left there, and the next login asks for the password", async () => {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak });
    const { idToken } = (await sessionIn(jar, app))!;
    const sid = decodeJwt(idToken).sid;
    const sessionIds = async () => (await stack.admin.sessions("demo", "demo")).map((session) => session.id);
    expect(await sessionIds()).toContain(sid);

    const { request } = await logOut(jar);
    expect(request.method).toBe(method === "post" ? "POST" : "GET");
    expect(request.params).toEqual({
      id_token_hint: idToken,
      client_id: "remix-app",
      post_logout_redirect_uri: `${app}/logout/callback`,
      state: expect.stringMatching(/^[\w-]{32}$/),
    });
    expect(await sessionIds()).not.toContain(sid);
    expect(await sessionIn(jar, app)).toBeNull();

    const again = await startKeycloakLogin(jar, { app, keycloak });
    expect(again.page.html).toBeDefined();
    expect(textOf(again.page.html!)).toContain("Sign in to your account");
  });

  /** Logs out through the app and back to its "You are logged out" page. */
  async function logOut(jar: CookieJar) {
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    const sent = await sendEndSession(jar, logout, app, keycloak);
    expect(sent.stop.html && textOf(sent.stop.html).slice(0, 400)).toBeUndefined();
    expect(sent.stop.url).toBe(`${app}/logout/callback?state=${sent.request.params.state}`);
    const loggedOut = await follow(jar, await browse(jar, sent.stop.url), sent.stop.url, app);
    expect(textOf(loggedOut.html!)).toContain("You are logged out");
    return sent;
  }
});
