// The app against OpenID providers with the habits of real ones (issue 15): one
// oidc-provider realm per personality, over real HTTP, each logging in and out
// through the production build, or refused for the attack. The OpenID
// Foundation's RP test modules are in tests/integration/conformance/.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CLIENT } from "../../support/app";
import { browse, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { continueIdpLogout, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
const clientKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

beforeAll(async () => {
  stack = await startStack({
    oidcProviders: [
      { name: "slash", personality: { issuerTrailingSlash: true } },
      {
        name: "postonly",
        personality: { tokenAuthMethods: ["client_secret_post"] },
        tokenEndpointAuthMethod: "client_secret_post",
      },
      { name: "signedjwt", tokenEndpointAuthMethod: "private_key_jwt" },
      { name: "es256", personality: { signingAlg: "ES256" } },
      { name: "ps256", personality: { signingAlg: "PS256" } },
      { name: "eddsa", personality: { signingAlg: "EdDSA" } },
      { name: "userinfo", personality: { profileInIdToken: false } },
      { name: "nologout", label: "No-Logout SSO", endSession: false },
    ],
    env: { OIDC_PROVIDER_SIGNEDJWT_CLIENT_PRIVATE_KEY: clientKey.export({ format: "pem", type: "pkcs8" }).toString() },
  });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

/** What the app itself asked of the IdP (the browser's visits are recorded too). */
const serverRequests = (realm: string) =>
  stack.idp.requests
    .filter((r) => r.realm === realm && /\/(token|userinfo|certs|openid-configuration)$/.test(r.path))
    .map((r) => r.path.split("/").pop());

/** Through the IdP's login form, up to the app's callback URL (not visited). */
async function reachCallback(jar: CookieJar, provider: string): Promise<string> {
  const page = await follow(
    jar,
    await browse(jar, `${app}/auth/${provider}/login?returnTo=%2Faccount`),
    app,
    stack.idp.url,
  );
  const { action } = formOf(page.html!, page.url);
  const done = await follow(
    jar,
    await browse(jar, action, { form: { username: "demo", password: "demo" } }),
    action,
    stack.idp.url,
  );
  expect(done.url.startsWith(`${app}/auth/${provider}/callback?`)).toBe(true);
  return done.url;
}

/** Logs in and returns the account page's text, as the user sees it. */
async function logIn(jar: CookieJar, provider: string): Promise<string> {
  const callback = await browse(jar, await reachCallback(jar, provider));
  expect(callback.status).toBe(302);
  expect(callback.headers.get("location")).toBe("/account");
  const account = await browse(jar, `${app}/account`);
  expect(account.status).toBe(200);
  return textOf(await account.text());
}

/** Logs out through the provider's end-session endpoint and returns the page the user lands on. */
async function logOut(jar: CookieJar, provider: string): Promise<string> {
  const logout = await browse(jar, `${app}/logout`, { form: {} });
  expect(logout.status).toBe(302);
  const endSession = new URL(logout.headers.get("location")!);
  expect(endSession.origin + endSession.pathname).toBe(
    `${stack.idp.url}/realms/${provider}/protocol/openid-connect/logout`,
  );
  const idpPage = await follow(jar, logout, app, stack.idp.url);
  const back = await continueIdpLogout(jar, idpPage, stack.idp.url);
  expect(back).toBe(`${app}/logout/callback?state=${endSession.searchParams.get("state")}`);
  const page = await browse(jar, back);
  expect(page.status).toBe(200);
  return textOf(await page.text());
}

describe("providers with other habits than Keycloak", () => {
  it.each([
    ["an issuer ending in a slash", "slash"],
    ["client_secret_post only", "postonly"],
    ["private_key_jwt client authentication", "signedjwt"],
    ["ES256 ID tokens", "es256"],
    ["PS256 ID tokens", "ps256"],
    ["EdDSA ID tokens", "eddsa"],
  ])("logs in and out with %s", async (_label, provider) => {
    const jar = new CookieJar();
    const account = await logIn(jar, provider);
    expect(account).toContain("Demo User");
    expect(account).toContain("demo@example.com");
    expect((await sessionIn(jar, app))!.user).toMatchObject({ realm: provider, username: "demo" });
    expect(await logOut(jar, provider)).toContain("You are logged out");
    expect(await sessionIn(jar, app)).toBeNull();
  });

  it("keeps a trailing-slash issuer exactly: discovery and the ID token name it with its slash", async () => {
    expect(stack.idp.issuer("slash").endsWith("/realms/slash/")).toBe(true);
    const jar = new CookieJar();
    await logIn(jar, "slash");
    const [, payload] = (await sessionIn(jar, app))!.idToken.split(".");
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString()).iss).toBe(stack.idp.issuer("slash"));
  });

  it("authenticates in the form where the provider refuses HTTP Basic", async () => {
    const discovery = await (await fetch(`${stack.idp.issuer("postonly")}/.well-known/openid-configuration`)).json();
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(["client_secret_post"]);
    const basic = await fetch(discovery.token_endpoint, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${TEST_CLIENT.clientId}:${TEST_CLIENT.clientSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: "x",
        redirect_uri: `${app}/auth/postonly/callback`,
      }),
    });
    expect((await basic.json()).error).toBe("invalid_client");
    expect(await logIn(new CookieJar(), "postonly")).toContain("Demo User");
  });

  it("serves the public half of its client key at /auth/jwks.json, which the provider checks the assertion with", async () => {
    const response = await fetch(`${app}/auth/jwks.json`);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const { keys } = await response.json();
    expect(keys).toEqual([
      {
        kty: "EC",
        crv: "P-256",
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: "ES256",
        use: "sig",
      },
    ]);
    expect(await logIn(new CookieJar(), "signedjwt")).toContain("Demo User");
  });

  it("reads the profile from userinfo, once, when the ID token carries only sub", async () => {
    await logIn(new CookieJar(), "userinfo"); // warm: discovery and keys fetched
    stack.idp.clearRequests();
    const jar = new CookieJar();
    const account = await logIn(jar, "userinfo");
    expect(account).toContain("Demo User");
    expect(account).toContain("demo@example.com");
    // The login's token and userinfo requests, then the account page's call of that API with the access token. No
    // reachability probe: the provider answered the warm-up login a moment ago (IDP_CONTACT_WINDOW_MS, decision 011).
    expect(serverRequests("userinfo")).toEqual(["token", "userinfo", "userinfo"]);
    const [, payload] = (await sessionIn(jar, app))!.idToken.split(".");
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).not.toHaveProperty("email");
    expect(await logOut(jar, "userinfo")).toContain("You are logged out");
  });

  it("asks Keycloak nothing but the token on a warm login: the profile is in the ID token", async () => {
    await logIn(new CookieJar(), "demo");
    stack.idp.clearRequests();
    expect(await logIn(new CookieJar(), "demo")).toContain("Demo User");
    // The token (no probe: the provider answered a moment ago); the userinfo request is the account page calling that API.
    expect(serverRequests("demo")).toEqual(["token", "userinfo"]);
  });

  it("logs out locally from a provider without end_session_endpoint, and says so", async () => {
    const jar = new CookieJar();
    expect(await logIn(jar, "nologout")).toContain("Demo User");
    const logout = await follow(jar, await browse(jar, `${app}/logout`, { form: {} }), app, app);
    expect(textOf(logout.html!)).toContain("Your identity provider, No-Logout SSO, does not offer single logout");
    expect(await sessionIn(jar, app)).toBeNull();
  });
});

describe("the mix-up attack (RFC 9207)", () => {
  it.each([
    ["names another provider as iss", (url: URL) => url.searchParams.set("iss", stack.idp.issuer("postonly"))],
    ["carries no iss although the provider advertises it", (url: URL) => url.searchParams.delete("iss")],
  ])("refuses a callback that %s, without redeeming the code anywhere", async (_label, tamper) => {
    const jar = new CookieJar();
    const callback = new URL(await reachCallback(jar, "demo"));
    expect(callback.searchParams.get("iss")).toBe(stack.idp.issuer("demo"));
    tamper(callback);
    stack.idp.clearRequests();
    const response = await browse(jar, callback.href);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Sign-in could not be verified");
    expect(stack.idp.requests.filter((r) => r.path.endsWith("/token"))).toEqual([]);
    expect(await sessionIn(jar, app)).toBeNull();
  });
});
