// The dev IdP's discovery, keys, key rotation and login, as Keycloak answers them.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import {
  APP,
  authorize,
  CLIENT_ID,
  CLIENT_SECRET,
  exchangeCode,
  fetchJwks,
  hasSession,
  idp,
  logoutUrl,
  pkce,
  redirectUri,
  signIn,
  submitLogin,
  useDevIdp,
} from "../../support/dev-idp-client";

useDevIdp();

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
      ["demo", "other"].map(
        async (realm) => (await (await fetch(`${idp.issuer(realm)}/protocol/openid-connect/certs`)).json()).keys,
      ),
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

    const logoutToken = idp.logoutToken(realm, {
      clientId: CLIENT_ID,
      sub: after.claims.sub!,
      sid: after.claims.sid as string,
    });
    expect(decodeProtectedHeader(logoutToken).kid).toBe(kid);
    await expect(jwtVerify(logoutToken, createLocalJWKSet(newJwks as never))).resolves.toBeTruthy();
  });
});
