import { createHash, randomBytes } from "node:crypto";

import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startIdp } from "../../dev/idp/index.js";
import { browse, button, CookieJar, follow, formOf, textOf } from "../support/browserless";

const APP = "http://localhost:3000";
const CLIENT_ID = "remix-app";
const CLIENT_SECRET = "test-secret";
const POST_LOGOUT = `${APP}/`;
const redirectUri = (realm: string) => `${APP}/auth/${realm}/callback`;

type Idp = Awaited<ReturnType<typeof startIdp>>;
let idp: Idp;

beforeAll(async () => {
  const clients = (realm: string) => [
    { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [redirectUri(realm)], postLogoutRedirectUris: [POST_LOGOUT] },
  ];
  const publicClient = { clientId: "public-app", redirectUris: [redirectUri("other")], postLogoutRedirectUris: [] };
  idp = await startIdp({
    realms: { demo: { clients: clients("demo") }, other: { clients: [...clients("other"), publicClient] } },
  });
});

afterAll(async () => {
  await idp?.close();
});

/** Follows redirects within the IdP; stops at a page (non-3xx) or at a redirect out of the IdP. */
const followInIdp = (jar: CookieJar, response: Response, from: string) =>
  follow(jar, response, from, (url) => url.startsWith(idp.url));


function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** Starts an authorization request; ends at the app's redirect URI or at an IdP page. */
async function authorize(jar: CookieJar, realm: string, params: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: "code",
    scope: "openid profile email",
    redirect_uri: redirectUri(realm),
    state: randomBytes(8).toString("hex"),
    nonce: randomBytes(8).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...params,
  });
  const start = `${idp.issuer(realm)}/protocol/openid-connect/auth?${query}`;
  return { verifier, nonce: query.get("nonce")!, ...(await followInIdp(jar, await browse(jar, start), start)) };
}

async function submitLogin(jar: CookieJar, html: string, pageUrl: string, username: string, password: string) {
  const { action } = formOf(html, pageUrl);
  return followInIdp(jar, await browse(jar, action, { form: { username, password } }), action);
}

async function exchangeCode(realm: string, callbackUrl: string, verifier: string) {
  const code = new URL(callbackUrl).searchParams.get("code");
  expect(code).toBeTruthy();
  const response = await fetch(`${idp.issuer(realm)}/protocol/openid-connect/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code: code!, redirect_uri: redirectUri(realm), code_verifier: verifier }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id_token: string; access_token: string; refresh_token?: string };
}

/** Logs a user in with a fresh browser; returns the browser and the verified tokens. */
async function signIn(realm: string, username: string, password: string) {
  const jar = new CookieJar();
  const start = await authorize(jar, realm);
  expect(start.html).toContain("Sign in to your account");
  const done = await submitLogin(jar, start.html!, start.url, username, password);
  expect(done.url.startsWith(`${redirectUri(realm)}?`)).toBe(true);
  const tokens = await exchangeCode(realm, done.url, start.verifier);
  const jwks = createRemoteJWKSet(new URL(`${idp.issuer(realm)}/protocol/openid-connect/certs`));
  const { payload } = await jwtVerify(tokens.id_token, jwks, { issuer: idp.issuer(realm), audience: CLIENT_ID });
  expect(payload.nonce).toBe(start.nonce);
  return { jar, tokens, claims: payload };
}

function logoutUrl(realm: string, params: Record<string, string>) {
  return `${idp.issuer(realm)}/protocol/openid-connect/logout?${new URLSearchParams(params)}`;
}

/** True when the browser's IdP session is alive: authorization completes without a login form. */
async function hasSession(jar: CookieJar, realm: string) {
  const result = await authorize(jar, realm);
  if (result.url.startsWith(redirectUri(realm))) return true;
  expect(result.html).toContain("Sign in to your account");
  return false;
}

describe("dev IdP: discovery and keys", () => {
  it.each(["demo", "other"])("serves Keycloak-shaped discovery for realm %s", async (realm) => {
    const response = await fetch(`${idp.url}/realms/${realm}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const config = await response.json();
    const base = `${idp.url}/realms/${realm}`;
    expect(config.issuer).toBe(base);
    expect(idp.issuer(realm)).toBe(base);
    expect(config.authorization_endpoint).toBe(`${base}/protocol/openid-connect/auth`);
    expect(config.token_endpoint).toBe(`${base}/protocol/openid-connect/token`);
    expect(config.userinfo_endpoint).toBe(`${base}/protocol/openid-connect/userinfo`);
    expect(config.jwks_uri).toBe(`${base}/protocol/openid-connect/certs`);
    expect(config.end_session_endpoint).toBe(`${base}/protocol/openid-connect/logout`);
    expect(config.code_challenge_methods_supported).toContain("S256");
    expect(config.id_token_signing_alg_values_supported).toContain("RS256");
  });

  it("signs with a distinct RS256 key per realm", async () => {
    const keys = await Promise.all(
      ["demo", "other"].map(async (realm) => (await (await fetch(`${idp.issuer(realm)}/protocol/openid-connect/certs`)).json()).keys),
    );
    for (const realmKeys of keys) {
      expect(realmKeys).toHaveLength(1);
      expect(realmKeys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(realmKeys[0].kid).toBeTruthy();
      expect(realmKeys[0].d).toBeUndefined();
    }
    expect(keys[0][0].n).not.toBe(keys[1][0].n);
  });

  it("answers 404 for an unknown realm", async () => {
    const response = await fetch(`${idp.url}/realms/nope/.well-known/openid-configuration`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Realm does not exist" });
  });
});

describe("dev IdP: login", () => {
  it("renders a Keycloak-like login form", async () => {
    const { html, response } = await authorize(new CookieJar(), "demo");
    expect(response.status).toBe(200);
    expect(html).toContain("<title>Sign in to your account</title>");
    expect(html).toMatch(/<label for="username">Username or email<\/label>/);
    expect(html).toMatch(/<input id="username" name="username"/);
    expect(html).toMatch(/<label for="password">Password<\/label>/);
    expect(html).toMatch(/<input id="password" name="password" type="password"/);
    expect(html).toMatch(/<button id="kc-login"[^>]*type="submit">Sign In<\/button>/);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it("re-renders the form on wrong credentials and escapes the echoed username", async () => {
    const jar = new CookieJar();
    const start = await authorize(jar, "demo");
    const retry = await submitLogin(jar, start.html!, start.url, '<b>"demo"</b>', "wrong");
    expect(retry.response.status).toBe(200);
    expect(retry.html).toContain("Invalid username or password.");
    expect(retry.html).toContain("Sign in to your account");
    expect(retry.html).not.toContain("<b>");
    expect(retry.html).toContain("&#60;b&#62;&#34;demo&#34;&#60;/b&#62;");
    // The same login step still accepts the right password afterwards.
    const done = await submitLogin(jar, retry.html!, start.url, "demo", "demo");
    expect(done.url.startsWith(`${redirectUri("demo")}?`)).toBe(true);
  });

  it("keeps realms' sessions apart in one browser", async () => {
    const { jar } = await signIn("demo", "demo", "demo");
    const other = await authorize(jar, "other");
    expect(other.html).toContain("Sign in to your account");
    await submitLogin(jar, other.html!, other.url, "big", "big");
    expect(await hasSession(jar, "other")).toBe(true);
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("explains an expired or unknown login step", async () => {
    const response = await browse(new CookieJar(), `${idp.issuer("demo")}/login-actions/unknown`);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Your login attempt timed out");
  });

  it("requires PKCE S256", async () => {
    const { url } = await authorize(new CookieJar(), "demo", { code_challenge: "", code_challenge_method: "" });
    expect(new URL(url).searchParams.get("error")).toBe("invalid_request");
  });

  it("rejects an unregistered redirect URI", async () => {
    const { response, html } = await authorize(new CookieJar(), "demo", { redirect_uri: `${APP}/elsewhere` });
    expect(response.status).toBe(400);
    expect(textOf(html!)).toContain("Invalid parameter: redirect_uri");
  });

  it("issues a Keycloak-like ID token through the code flow and keeps an SSO session", async () => {
    const { jar, tokens, claims } = await signIn("demo", "demo", "demo");
    expect(claims).toMatchObject({
      iss: idp.issuer("demo"),
      aud: CLIENT_ID,
      sub: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      preferred_username: "demo",
      name: "Demo User",
      given_name: "Demo",
      family_name: "User",
      email: "demo@example.com",
      email_verified: true,
    });
    expect(claims.sid).toEqual(expect.any(String));
    for (const time of ["auth_time", "iat", "exp"]) expect(claims[time]).toEqual(expect.any(Number));
    expect(claims.groups).toBeUndefined();
    expect(tokens.refresh_token).toBeTruthy();

    // Second authorization from the same browser: no login form, same IdP session.
    const again = await authorize(jar, "demo");
    expect(again.url.startsWith(`${redirectUri("demo")}?`)).toBe(true);
    const second = await exchangeCode("demo", again.url, again.verifier);
    expect(decodeJwt(second.id_token).sid).toBe(claims.sid);
  });

  it("gives user big an ID token of at least 6,000 bytes with 60 groups", async () => {
    const { tokens, claims } = await signIn("demo", "big", "big");
    expect(Buffer.byteLength(tokens.id_token)).toBeGreaterThanOrEqual(6000);
    expect(claims.groups).toHaveLength(60);
    expect(claims.sid).toEqual(expect.any(String));
  });

  it("accepts client_secret_post at the token endpoint", async () => {
    const jar = new CookieJar();
    const start = await authorize(jar, "other");
    const done = await submitLogin(jar, start.html!, start.url, "demo@example.com", "demo");
    const response = await fetch(`${idp.issuer("other")}/protocol/openid-connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: new URL(done.url).searchParams.get("code")!,
        redirect_uri: redirectUri("other"),
        code_verifier: start.verifier,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    expect(response.status).toBe(200);
    expect(decodeJwt((await response.json()).id_token).iss).toBe(idp.issuer("other"));
  });

  it("serves a public client with PKCE and no secret", async () => {
    const jar = new CookieJar();
    const start = await authorize(jar, "other", { client_id: "public-app" });
    const done = await submitLogin(jar, start.html!, start.url, "demo", "demo");
    const exchange = (verifier: string) =>
      fetch(`${idp.issuer("other")}/protocol/openid-connect/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: new URL(done.url).searchParams.get("code")!,
          redirect_uri: redirectUri("other"),
          code_verifier: verifier,
          client_id: "public-app",
        }),
      });
    expect((await exchange(pkce().verifier)).status).toBe(400); // wrong PKCE verifier
    // A failed redemption does not consume the code, so the right verifier still works.
    const response = await exchange(start.verifier);
    expect(response.status).toBe(200);
    expect(decodeJwt((await response.json()).id_token).aud).toBe("public-app");
  });
});

describe("dev IdP: RP-initiated logout (Keycloak 18+ rules)", () => {
  it("rejects the legacy redirect_uri parameter and keeps the session", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: tokens.id_token, redirect_uri: POST_LOGOUT });
    const response = await browse(jar, url);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid parameter: redirect_uri");
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("requires id_token_hint or client_id with post_logout_redirect_uri", async () => {
    const response = await browse(new CookieJar(), logoutUrl("demo", { post_logout_redirect_uri: POST_LOGOUT }));
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Missing parameters: id_token_hint");
  });

  it("rejects an id_token_hint from another realm", async () => {
    const other = await signIn("other", "demo", "demo");
    const { jar } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: other.tokens.id_token, post_logout_redirect_uri: POST_LOGOUT });
    const response = await browse(jar, url);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid parameter: id_token_hint");
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("rejects an unregistered post_logout_redirect_uri", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: tokens.id_token, post_logout_redirect_uri: `${APP}/evil` });
    const response = await browse(jar, url);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid redirect uri");
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("logs out without a prompt given a valid id_token_hint and returns to the app with state", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    idp.clearRequests();
    const url = logoutUrl("demo", { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: "s-123" });
    const page = await followInIdp(jar, await browse(jar, url), url);

    // A self-submitting page, with a visible button for browsers without JavaScript.
    expect(page.response.status).toBe(200);
    expect(page.html).not.toContain("Do you want to log out?");
    expect(page.html).toMatch(/<script>[^<]*click\(\)[^<]*<\/script>/);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(jar, await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }), form.action);

    expect(done.url).toBe(`${POST_LOGOUT}?state=s-123`);
    expect(await hasSession(jar, "demo")).toBe(false);

    const logoutRequest = idp.requests.find((r) => r.path === "/realms/demo/protocol/openid-connect/logout");
    expect(logoutRequest).toMatchObject({ method: "GET", realm: "demo", query: { id_token_hint: tokens.id_token, state: "s-123" } });
  });

  it("accepts the same logout as a form POST", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", {});
    const response = await browse(jar, url, { form: { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: "p" } });
    const page = await followInIdp(jar, response, url);
    expect(page.html).toContain('value="yes">Continue</button>');
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(jar, await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }), form.action);
    expect(done.url).toBe(`${POST_LOGOUT}?state=p`);
    expect(await hasSession(jar, "demo")).toBe(false);
    const logoutRequest = idp.requests.find((r) => r.method === "POST" && r.path === "/realms/demo/protocol/openid-connect/logout");
    expect(logoutRequest?.form?.id_token_hint).toBe(tokens.id_token);
  });

  it("accepts an id_token_hint whose session already ended", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: "again" });
    const fresh = new CookieJar(); // a browser without an IdP session
    const page = await followInIdp(fresh, await browse(fresh, url), url);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(fresh, await browse(fresh, form.action, { form: form.fields }), form.action);
    expect(done.url).toBe(`${POST_LOGOUT}?state=again`);
    expect(await hasSession(jar, "demo")).toBe(true); // the other browser is unaffected
  });

  it("asks for confirmation without id_token_hint, then shows that the user is logged out", async () => {
    const { jar } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", {});
    const page = await followInIdp(jar, await browse(jar, url), url);
    expect(page.response.status).toBe(200);
    expect(textOf(page.html!)).toContain("Do you want to log out?");
    expect(page.html).not.toContain("<script");
    const logout = button(page.html!, "Logout");
    expect(logout).toBeDefined();

    const form = formOf(page.html!, page.url);
    const done = await followInIdp(jar, await browse(jar, form.action, { form: { ...form.fields, ...logout } }), form.action);
    expect(done.response.status).toBe(200);
    expect(textOf(done.html!)).toContain("You are logged out");
    expect(await hasSession(jar, "demo")).toBe(false);
  });

  it("redirects to a registered post_logout_redirect_uri after confirmation given client_id", async () => {
    const { jar } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { client_id: CLIENT_ID, post_logout_redirect_uri: POST_LOGOUT, state: "c" });
    const page = await followInIdp(jar, await browse(jar, url), url);
    expect(textOf(page.html!)).toContain("Do you want to log out?");
    expect(await hasSession(jar, "demo")).toBe(true);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(jar, await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Logout") } }), form.action);
    expect(done.url).toBe(`${POST_LOGOUT}?state=c`);
    expect(await hasSession(jar, "demo")).toBe(false);
  });
});
