// Logout edges against real Keycloak: the retry route without id_token_hint,
// and the legacy redirect_uri that buildEndSessionUrl must never send.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEndSessionUrl } from "~/auth/protocol/end-session.server";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { confirmKeycloakLogout, logInAtKeycloak, startKeycloakLogin } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

let stack: KeycloakStack;
let app: string;
let keycloak: string;
let endSessionEndpoint: string;
beforeAll(async () => {
  stack = await startKeycloakStack();
  app = stack.app.url;
  keycloak = stack.idp.url;
  const discovery = (await (await fetch(`${keycloak}/realms/demo/.well-known/openid-configuration`)).json()) as {
    end_session_endpoint: string;
  };
  endSessionEndpoint = discovery.end_session_endpoint;
});
afterAll(() => stack?.stop());

const sessionIds = async (username = "demo") =>
  (await stack.admin.sessions("demo", username)).map((session) => session.id);

describe("logout without id_token_hint (POST /auth/:realm/logout, the retry after an unreachable IdP)", () => {
  it("shows Keycloak's confirmation page, ends the Keycloak session and comes back to the app", async () => {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak });
    const sid = decodeJwt((await sessionIn(jar, app))!.idToken).sid;

    const retry = await browse(jar, `${app}/auth/demo/logout`, { form: {}, headers: { Origin: app } });
    expect(retry.status).toBe(302);
    const endSession = new URL(retry.headers.get("location")!);
    expect(endSession.origin + endSession.pathname).toBe(endSessionEndpoint);
    expect(endSession.searchParams.has("id_token_hint")).toBe(false);
    expect(endSession.searchParams.get("client_id")).toBe("remix-app");

    const confirmation = await follow(jar, retry, `${app}/auth/demo/logout`, keycloak);
    expect(confirmation.response.status).toBe(200);
    // Still signed in at Keycloak until the user confirms.
    expect(await sessionIds()).toContain(sid);
    const back = await confirmKeycloakLogout(jar, confirmation, keycloak);
    expect(back.url).toBe(`${app}/logout/callback?state=${endSession.searchParams.get("state")}`);
    const loggedOut = await follow(jar, await browse(jar, back.url), back.url, app);
    expect(textOf(loggedOut.html!)).toContain("You are logged out");
    expect(await sessionIds()).not.toContain(sid);
    const again = await startKeycloakLogin(jar, { app, keycloak });
    expect(textOf(again.page.html!)).toContain("Sign in to your account");
  });
});

describe("the legacy redirect_uri parameter", () => {
  it("is not honoured by Keycloak: the browser ends on Keycloak's page and never comes back to the app", async () => {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak });
    const { idToken } = (await sessionIn(jar, app))!;
    const legacy = new URL(endSessionEndpoint);
    legacy.searchParams.set("id_token_hint", idToken);
    legacy.searchParams.set("redirect_uri", `${app}/logout/callback`);
    const answer = await follow(jar, await browse(jar, legacy.href), legacy.href, keycloak);
    expect(answer.url.startsWith(keycloak)).toBe(true);
    expect(answer.html).not.toContain(`${app}/logout/callback`);
    // Keycloak 26 dropped the check (and its switch): it ignores the parameter and logs out.
    // Before, it refused the request: the user stayed logged in.
    if ((await stack.admin.majorVersion()) >= 26) {
      expect(answer.response.status).toBe(200);
      expect(textOf(answer.html!)).toContain("You are logged out");
    } else {
      expect(answer.response.status).toBe(400);
      expect(textOf(answer.html!)).toContain("Invalid parameter: redirect_uri");
    }
  });

  it("is never sent by buildEndSessionUrl, even when the discovered endpoint carried one", () => {
    const url = buildEndSessionUrl({
      endSessionEndpoint: `${endSessionEndpoint}?redirect_uri=${encodeURIComponent(`${app}/`)}`,
      idTokenHint: "x.y.z",
      postLogoutRedirectUri: `${app}/logout/callback`,
      clientId: "remix-app",
      state: "s",
    });
    expect(url.searchParams.has("redirect_uri")).toBe(false);
    expect(url.searchParams.get("post_logout_redirect_uri")).toBe(`${app}/logout/callback`);
  });

  it('post_logout_redirect_uri outside the client\'s list is refused by Keycloak with a 400 "Invalid redirect uri"', async () => {
    const url = buildEndSessionUrl({
      endSessionEndpoint,
      postLogoutRedirectUri: "http://evil.example/",
      clientId: "remix-app",
    });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid redirect uri");
  });
});
