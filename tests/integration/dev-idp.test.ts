import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { startIdp } from "../../dev/idp/index.js";
import { browse, button, CookieJar, follow, formOf, textOf } from "../support/browserless";

const APP = "http://localhost:3000";
const CLIENT_ID = "remix-app";
const CLIENT_SECRET = "test-secret";
const POST_LOGOUT = `${APP}/`;
const redirectUri = (realm: string) => `${APP}/auth/${realm}/callback`;

type Idp = Awaited<ReturnType<typeof startIdp>>;
let idp: Idp;

/** Back-channel logout POSTs received by the test's own "clients", by path. */
type Received = { path: string; contentType: string | undefined; logoutToken: string | null };
const received: Received[] = [];
let receiver: http.Server;
let receiverUrl: string;
/** Responses to /slow-app held back until the test releases them. */
const heldResponses: http.ServerResponse[] = [];
/** A loopback URL where nothing listens: a client that is down. */
let downUrl: string;

async function listen(server: http.Server) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closeServer = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

beforeAll(async () => {
  receiver = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ path: req.url!, contentType: req.headers["content-type"], logoutToken: new URLSearchParams(body).get("logout_token") });
    if (req.url === "/slow-app") heldResponses.push(res);
    else res.writeHead(200).end();
  });
  receiverUrl = await listen(receiver);
  const unused = http.createServer();
  downUrl = `${await listen(unused)}/down-app`;
  await closeServer(unused);

  const clients = (realm: string) => [
    { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [redirectUri(realm)], postLogoutRedirectUris: [POST_LOGOUT] },
  ];
  const publicClient = { clientId: "public-app", redirectUris: [redirectUri("other")], postLogoutRedirectUris: [] };
  const backchannelClient = (clientId: string, backchannelLogoutUri?: string) => ({
    clientId,
    redirectUris: [redirectUri("backchannel")],
    postLogoutRedirectUris: [],
    backchannelLogoutUri,
  });
  idp = await startIdp({
    realms: {
      demo: { clients: clients("demo") },
      other: { clients: [...clients("other"), publicClient] },
      nologout: { clients: clients("nologout"), endSession: false },
      rotating: { clients: clients("rotating") },
      backchannel: {
        clients: [
          { ...clients("backchannel")[0]!, backchannelLogoutUri: `${receiverUrl}/remix-app` },
          backchannelClient("second-app", `${receiverUrl}/second-app`),
          backchannelClient("slow-app", `${receiverUrl}/slow-app`),
          backchannelClient("down-app", downUrl),
          backchannelClient("plain-app"),
        ],
      },
    },
  });
});

afterAll(async () => {
  await idp?.close();
  if (receiver) await closeServer(receiver);
});

/** Follows redirects within the IdP; stops at a page (non-3xx) or at a redirect out of the IdP. */
const followInIdp = (jar: CookieJar, response: Response, from: string) =>
  follow(jar, response, from, (url) => url.startsWith(idp.url));


/** Polls until `get` returns a truthy value (for things that happen in the background). */
async function until<T>(get: () => T | undefined | null | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const jwksOf = (realm: string) => createRemoteJWKSet(new URL(`${idp.issuer(realm)}/protocol/openid-connect/certs`));
const fetchJwks = async (realm: string) =>
  (await (await fetch(`${idp.issuer(realm)}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string }[] };

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
  const { payload } = await jwtVerify(tokens.id_token, jwksOf(realm), { issuer: idp.issuer(realm), audience: CLIENT_ID });
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
    expect(config.backchannel_logout_supported).toBe(true);
    expect(config.backchannel_logout_session_supported).toBe(true);
  });

  it("has no end-session endpoint in a realm with endSession: false", async () => {
    const config = await (await fetch(`${idp.url}/realms/nologout/.well-known/openid-configuration`)).json();
    expect(config.issuer).toBe(idp.issuer("nologout"));
    expect(config).not.toHaveProperty("end_session_endpoint");
    const { jar } = await signIn("nologout", "demo", "demo");
    expect((await browse(jar, logoutUrl("nologout", { client_id: CLIENT_ID }))).status).toBe(404);
    expect((await browse(jar, logoutUrl("nologout", {}), { form: { client_id: CLIENT_ID } })).status).toBe(404);
    expect(await hasSession(jar, "nologout")).toBe(true);
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

describe("dev IdP: access and refresh tokens (Keycloak-like)", () => {
  const tokenRequest = (params: Record<string, string>) =>
    fetch(`${idp.issuer("demo")}/protocol/openid-connect/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(params),
    });
  const userinfo = (accessToken: string) =>
    fetch(`${idp.issuer("demo")}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });

  it("issues JWT access tokens signed with the realm key, with azp, sid and the user's realm and client roles", async () => {
    const { tokens, claims } = await signIn("demo", "demo", "demo");
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwksOf("demo"), { issuer: idp.issuer("demo") });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({
      azp: CLIENT_ID,
      aud: [CLIENT_ID, "account"],
      sub: claims.sub,
      sid: claims.sid,
      typ: "Bearer",
      realm_access: { roles: ["admin"] },
      resource_access: { [CLIENT_ID]: { roles: ["editor"] } },
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    const answer = await userinfo(tokens.access_token);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ sub: claims.sub, email: "demo@example.com" });
  });

  it("gives big no roles, and audience account only", async () => {
    const { tokens } = await signIn("demo", "big", "big");
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: "account", realm_access: { roles: [] } });
  });

  it("rotates refresh tokens, and ends the grant when a used one comes back", async () => {
    const { tokens } = await signIn("demo", "demo", "demo");
    const first = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(first.status).toBe(200);
    const renewed = (await first.json()) as { access_token: string; refresh_token: string };
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await userinfo(renewed.access_token)).status).toBe(200);

    const reused = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(reused.status).toBe(400);
    expect((await reused.json()).error).toBe("invalid_grant");
    const next = await tokenRequest({ grant_type: "refresh_token", refresh_token: renewed.refresh_token });
    expect((await next.json()).error).toBe("invalid_grant");
    expect((await userinfo(renewed.access_token)).status).toBe(401);
  });

  it("refuses the refresh token and the access token of a session that ended at the IdP", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const page = await browse(jar, logoutUrl("demo", {}));
    const { action, fields } = formOf(await page.text(), logoutUrl("demo", {}));
    await browse(jar, action, { form: { ...fields, logout: "yes" } });
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    const refused = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect((await refused.json()).error).toBe("invalid_grant");
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

describe("dev IdP: request log", () => {
  it("keeps the id_token of a POST logout out of the logged path and query", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    idp.clearRequests();
    const url = logoutUrl("demo", {});
    const page = await followInIdp(jar, await browse(jar, url, { form: { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT } }), url);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(jar, await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }), form.action);
    expect(done.url).toBe(POST_LOGOUT);

    expect(idp.requests.length).toBeGreaterThanOrEqual(2); // the logout and its confirmation
    for (const request of idp.requests) {
      expect(request.path).not.toContain(tokens.id_token);
      expect(JSON.stringify(request.query)).not.toContain(tokens.id_token);
    }
    const logout = idp.requests.find((r) => r.path === "/realms/demo/protocol/openid-connect/logout");
    expect(logout).toMatchObject({ method: "POST", query: {}, form: { id_token_hint: tokens.id_token } });
  });
});

describe("dev IdP: back-channel logout", () => {
  const realm = "backchannel";
  const EVENT = "http://schemas.openid.net/event/backchannel-logout";

  it("POSTs a signed logout token to every client of the ending session, without waiting for them", async () => {
    const { jar, tokens, claims } = await signIn(realm, "demo", "demo");
    for (const clientId of ["second-app", "slow-app", "down-app", "plain-app"]) {
      expect((await authorize(jar, realm, { client_id: clientId })).url.startsWith(`${redirectUri(realm)}?`)).toBe(true);
    }
    const deliveriesBefore = idp.backchannelDeliveries.length;

    const url = logoutUrl(realm, { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT });
    const page = await followInIdp(jar, await browse(jar, url), url);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(jar, await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }), form.action);
    // The logout has finished although slow-app has not answered and down-app is down.
    expect(done.url).toBe(POST_LOGOUT);
    expect(await hasSession(jar, realm)).toBe(false);

    const deliveries = () => idp.backchannelDeliveries.slice(deliveriesBefore);
    await until(() => deliveries().length === 3 && heldResponses.length === 1);
    expect(deliveries().some((d) => d.clientId === "slow-app")).toBe(false);
    heldResponses.pop()!.writeHead(204).end();
    await until(() => deliveries().length === 4);

    const byClient = Object.fromEntries(deliveries().map((d) => [d.clientId, d]));
    expect(Object.keys(byClient).sort()).toEqual(["down-app", CLIENT_ID, "second-app", "slow-app"].sort());
    expect(byClient[CLIENT_ID]).toMatchObject({ realm, uri: `${receiverUrl}/remix-app`, status: 200, time: expect.any(Number) });
    expect(byClient["second-app"]).toMatchObject({ status: 200 });
    expect(byClient["slow-app"]).toMatchObject({ status: 204 });
    expect(byClient["down-app"]).toMatchObject({ uri: downUrl, status: null });

    const posts = received.filter((r) => r.logoutToken && deliveries().some((d) => d.logoutToken === r.logoutToken));
    expect(posts.map((p) => p.path).sort()).toEqual(["/remix-app", "/second-app", "/slow-app"]);
    for (const post of posts) expect(post.contentType).toMatch(/^application\/x-www-form-urlencoded\b/);

    const post = posts.find((p) => p.path === "/remix-app")!;
    const { payload, protectedHeader } = await jwtVerify(post.logoutToken!, jwksOf(realm), { issuer: idp.issuer(realm), audience: CLIENT_ID });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "logout+jwt" });
    expect(payload).toEqual({
      iss: idp.issuer(realm),
      aud: CLIENT_ID,
      iat: expect.any(Number),
      exp: payload.iat! + 120,
      jti: expect.any(String),
      sub: claims.sub,
      sid: claims.sid,
      events: { [EVENT]: {} },
    });
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(10);

    for (const clientId of ["second-app", "slow-app"]) {
      const other = await jwtVerify(byClient[clientId]!.logoutToken, jwksOf(realm), { issuer: idp.issuer(realm), audience: clientId });
      expect(other.payload).toMatchObject({ sub: claims.sub, sid: expect.any(String), events: { [EVENT]: {} } });
      expect(other.payload.jti).not.toBe(payload.jti);
    }
  });

  it("crafts logout tokens signed with the realm key, with claims overridden or left out", async () => {
    const sub = "5c0f6b1e-3f2a-4d7b-9a61-0d3c2e8f4a10";
    const verify = async (token: string, audience = CLIENT_ID) =>
      (await jwtVerify(token, jwksOf(realm), { issuer: idp.issuer(realm), audience })).payload;

    const valid = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "sid-1" }));
    expect(valid).toMatchObject({ sub, sid: "sid-1", events: { [EVENT]: {} }, exp: valid.iat! + 120, jti: expect.any(String) });
    expect(valid).not.toHaveProperty("nonce");

    const withNonce = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "sid-1", nonce: "x" }));
    expect(withNonce.nonce).toBe("x");
    const withoutEvents = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "sid-1", events: undefined }));
    expect(withoutEvents).not.toHaveProperty("events");
    const withoutSid = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub }));
    expect(withoutSid).not.toHaveProperty("sid");

    const overridden = decodeJwt(
      idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "s", iat: 1000, exp: 2000, iss: "https://elsewhere", aud: "someone", jti: "j-1" }),
    );
    expect(overridden).toMatchObject({ iat: 1000, exp: 2000, iss: "https://elsewhere", aud: "someone", jti: "j-1" });
    await expect(verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, exp: 1000 }))).rejects.toThrow(/exp/);
    expect(() => idp.logoutToken("nope", { clientId: CLIENT_ID, sub })).toThrow(/Unknown realm/);
  });
});

describe("dev IdP: key rotation", () => {
  it("signs with a new key and publishes only that one", async () => {
    const realm = "rotating";
    const before = await signIn(realm, "demo", "demo");
    const oldJwks = await fetchJwks(realm);
    expect(oldJwks.keys).toHaveLength(1);

    const kid = idp.rotateKeys(realm);
    const newJwks = await fetchJwks(realm);
    expect(newJwks.keys.map((k) => k.kid)).toEqual([kid]);
    expect(kid).not.toBe(oldJwks.keys[0]!.kid);
    expect((await fetchJwks("demo")).keys[0]!.kid).not.toBe(kid); // other realms keep theirs

    // The browser session survives the rotation; new tokens use the new key only.
    expect(await hasSession(before.jar, realm)).toBe(true);
    const after = await signIn(realm, "demo", "demo"); // verifies against the fetched JWKS
    expect(decodeProtectedHeader(after.tokens.id_token).kid).toBe(kid);
    await expect(jwtVerify(after.tokens.id_token, createLocalJWKSet(newJwks as never))).resolves.toBeTruthy();
    await expect(jwtVerify(after.tokens.id_token, createLocalJWKSet(oldJwks as never))).rejects.toThrow();
    await expect(jwtVerify(before.tokens.id_token, createLocalJWKSet(newJwks as never))).rejects.toThrow();

    const logoutToken = idp.logoutToken(realm, { clientId: CLIENT_ID, sub: after.claims.sub!, sid: after.claims.sid as string });
    expect(decodeProtectedHeader(logoutToken).kid).toBe(kid);
    await expect(jwtVerify(logoutToken, createLocalJWKSet(newJwks as never))).resolves.toBeTruthy();
  });
});

describe("dev IdP: fault switches", () => {
  const discovery = () => `${idp.issuer("demo")}/.well-known/openid-configuration`;

  afterEach(() => {
    Object.assign(idp.faults, { down: false, delayMs: 0, failTokenEndpoint: false, clockSkewSeconds: 0 });
  });

  it("starts with every fault off", () => {
    expect(idp.faults).toEqual({ down: false, delayMs: 0, failTokenEndpoint: false, clockSkewSeconds: 0 });
  });

  it("drops every connection while down", async () => {
    expect((await fetch(discovery())).status).toBe(200); // leaves a kept-alive connection behind
    idp.faults.down = true;
    await expect(fetch(discovery())).rejects.toThrow();
    await expect(fetch(discovery(), { headers: { connection: "close" } })).rejects.toThrow();
    idp.faults.down = false;
    expect((await fetch(discovery())).status).toBe(200);
  });

  it("delays every response by delayMs", async () => {
    idp.faults.delayMs = 300;
    const started = performance.now();
    const response = await fetch(discovery());
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(299); // timers may round down by < 1 ms
  });

  it("closes with delayed requests pending", async () => {
    const own = await startIdp({ realms: { demo: { clients: [] } } });
    own.faults.delayMs = 60_000;
    const pending = fetch(`${own.issuer("demo")}/.well-known/openid-configuration`);
    await until(() => own.requests.length === 1);
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it("answers 503 at the token endpoint while failTokenEndpoint is on", async () => {
    const jar = new CookieJar();
    const start = await authorize(jar, "demo");
    const done = await submitLogin(jar, start.html!, start.url, "demo", "demo");
    idp.faults.failTokenEndpoint = true;
    const response = await fetch(`${idp.issuer("demo")}/protocol/openid-connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code: new URL(done.url).searchParams.get("code")! }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: "temporarily_unavailable" });
    // The code did not reach oidc-provider, so it still works once the endpoint is back.
    idp.faults.failTokenEndpoint = false;
    expect((await exchangeCode("demo", done.url, start.verifier)).id_token).toBeTruthy();
  });

  it("shifts the times in ID tokens and logout tokens by clockSkewSeconds", async () => {
    idp.faults.clockSkewSeconds = 600;
    const { claims } = await signIn("demo", "demo", "demo");
    const now = Date.now() / 1000;
    expect(Math.abs(claims.iat! - (now + 600))).toBeLessThan(10);
    expect(Math.abs((claims.auth_time as number) - (now + 600))).toBeLessThan(10);
    expect(Math.abs(claims.exp! - (claims.iat! + 300))).toBeLessThanOrEqual(1);

    const logoutToken = decodeJwt(idp.logoutToken("demo", { clientId: CLIENT_ID, sub: claims.sub!, sid: claims.sid as string }));
    expect(Math.abs(logoutToken.iat! - (now + 600))).toBeLessThan(10);

    idp.faults.clockSkewSeconds = 0;
    const unskewed = await signIn("demo", "demo", "demo");
    expect(Math.abs(unskewed.claims.iat! - Date.now() / 1000)).toBeLessThan(10);
  });
});
