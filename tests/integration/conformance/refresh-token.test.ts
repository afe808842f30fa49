// OpenID Foundation plan "Refresh Token" (oidcc-client-refreshtoken-test-plan; not part
// of certification): the app renews the access token with the refresh token,
// calls an API (userinfo) with the new one, and refuses a refresh answer whose
// ID token is about another login (OpenID Connect Core 12.2), ending the session
// as a refused refresh token does. The provider is a hand-written one
// (tests/support/hostile-provider.ts) that answers the refresh with whatever ID
// token a test makes, and records what the app sent it.
import { randomUUID } from "node:crypto";
import { generateKeyPair } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../../support/app";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { startHostileProvider, type HostileProvider } from "../../support/hostile-provider";
import { sessionIn } from "../../support/login";

const AUTH_TIME = Math.floor(Date.now() / 1000) - 60;

/**
 * The app's realm demo served by a provider that answers what a test makes it
 * answer, as the OpenID Foundation's RP test modules do. It signs anyone in at
 * once, with an access token that needs renewing at the first page calling an
 * API (/account), so that page's renewal meets the answer under test.
 */
async function startAgainstHostileProvider(): Promise<{ provider: HostileProvider; app: RunningApp }> {
  const provider = await startHostileProvider({ path: "/realms/demo" });
  provider.idToken = (nonce) => provider.sign({ nonce, auth_time: AUTH_TIME });
  provider.userinfo = { sub: "user-1", name: "A User" };
  provider.tokens = { refresh_token: `login-refresh-token-${randomUUID()}`, expires_in: 0 };
  try {
    const env = { KEYCLOAK_URL: new URL(provider.issuer).origin, KEYCLOAK_REALM: "demo" };
    return { provider, app: await startApp({ port: await freePort(), env }) };
  } catch (error) {
    await provider.close();
    throw error;
  }
}

describe("OpenID Foundation Refresh Token RP test modules", () => {
  let provider: HostileProvider;
  let rp: RunningApp;
  let otherKey: CryptoKey;
  beforeAll(async () => {
    ({ provider, app: rp } = await startAgainstHostileProvider());
    otherKey = (await generateKeyPair("RS256")).privateKey;
  });
  afterAll(async () => {
    await rp?.stop();
    await provider?.close();
  });

  /** What the refresh answers, besides its ID token: distinct values, to look for in the session and the logs. */
  let renewed: { access_token: string; refresh_token: string; expires_in: number };
  beforeEach(() => {
    provider.tokens = { refresh_token: `login-refresh-token-${randomUUID()}`, expires_in: 0 };
    provider.refreshIdToken = async () => undefined;
    provider.grants.length = 0;
    provider.requests.length = 0;
    renewed = {
      access_token: `renewed-access-token-${randomUUID()}`,
      refresh_token: `renewed-refresh-token-${randomUUID()}`,
      expires_in: 300,
    };
  });

  /** Logs in through the provider; the session's access token then needs renewing. */
  async function logIn(jar: CookieJar): Promise<void> {
    const login = await browse(jar, `${rp.url}/auth/demo/login?returnTo=%2Faccount`);
    const { url } = await follow(jar, login, rp.url, provider.issuer);
    const callback = await browse(jar, url);
    expect(callback.headers.get("location")).toBe("/account");
    expect((await sessionIn(jar, rp.url))!.user.sub).toBe("user-1");
  }

  /** Opens /account, whose API call renews the access token, with the provider answering `idToken` to the refresh. */
  async function openAccountRenewingWith(jar: CookieJar, idToken: () => Promise<string>) {
    let sent = "";
    provider.refreshIdToken = async () => (sent = await idToken());
    provider.tokens = renewed;
    const logFrom = rp.output().length;
    const response = await browse(jar, `${rp.url}/account`);
    expect(provider.grants).toEqual(["authorization_code", "refresh_token"]);
    return { response, sent, log: () => rp.output().slice(logFrom) };
  }

  /**
   * A refused renewal, as a refused refresh token (invalid_grant) is met: the
   * session ends, none of the refresh's answer is kept, one line says why
   * (without a token), and the user logs in again and comes back.
   */
  async function expectSessionEnded(
    jar: CookieJar,
    { response, sent, log }: Awaited<ReturnType<typeof openAccountRenewingWith>>,
    why: RegExp,
  ) {
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    expect(await sessionIn(jar, rp.url)).toBeNull();
    await expect.poll(log).toContain('"outcome":"session_ended"');
    const lines = log()
      .split("\n")
      .filter((line) => line.includes('"event":"token_refresh"'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"realm":"demo","sub":"user-1","outcome":"session_ended"/);
    expect(JSON.parse(lines[0]!).detail).toMatch(why);
    for (const token of [sent, ...sent.split("."), renewed.access_token, renewed.refresh_token])
      expect(log()).not.toContain(token);

    const again = await follow(jar, await browse(jar, `${rp.url}/login?returnTo=%2Faccount`), rp.url, rp.url);
    expect(again.url.startsWith(`${provider.issuer}/auth?`)).toBe(true);
    const callback = await follow(jar, await browse(jar, again.url), again.url, provider.issuer);
    const back = await follow(jar, await browse(jar, callback.url), rp.url, rp.url);
    expect(back.url).toBe(`${rp.url}/account`);
    expect(back.response.status).toBe(200);
    expect(textOf(back.html!)).toContain("A User");
  }

  /** The refresh tokens the provider's token endpoint received, and the access tokens userinfo received, in order. */
  const refreshTokensSent = () =>
    provider
      .received("/token")
      .filter(({ form }) => form.get("grant_type") === "refresh_token")
      .map(({ form }) => form.get("refresh_token"));
  const userinfoBearers = () => provider.received("/userinfo").map(({ headers }) => headers.authorization);

  it("oidcc-client-test-refresh-token: renews the access token with the refresh token, calls userinfo with the new one, sends the rotated refresh token at the next renewal, and keeps the login's ID token as the logout hint", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const loginRefreshToken = provider.tokens.refresh_token;
    const loginIdToken = (await sessionIn(jar, rp.url))!.idToken;
    renewed.expires_in = 0; // so that the next page renews again
    const { response } = await openAccountRenewingWith(jar, () => provider.sign({ auth_time: AUTH_TIME }));
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toContain("A User");
    const session = (await sessionIn(jar, rp.url))!;
    expect(session.tokens).toMatchObject({ accessToken: renewed.access_token, refreshToken: renewed.refresh_token });
    expect(session.idToken).toBe(loginIdToken);
    expect(refreshTokensSent()).toEqual([loginRefreshToken]);
    expect(userinfoBearers()).toEqual([`Bearer ${renewed.access_token}`]);

    const third = {
      access_token: `third-access-token-${randomUUID()}`,
      refresh_token: `third-refresh-token-${randomUUID()}`,
    };
    provider.tokens = { ...third, expires_in: 300 };
    const next = await browse(jar, `${rp.url}/account`);
    expect(next.status).toBe(200);
    expect(textOf(await next.text())).toContain("A User");
    expect(refreshTokensSent()).toEqual([loginRefreshToken, renewed.refresh_token]);
    expect(userinfoBearers()).toEqual([`Bearer ${renewed.access_token}`, `Bearer ${third.access_token}`]);
    expect((await sessionIn(jar, rp.url))!.idToken).toBe(loginIdToken);
  });

  it("oidcc-client-test-refresh-token-invalid-sub: ends the session when the refresh answer's ID token names another user", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const answer = await openAccountRenewingWith(jar, () => provider.sign({ sub: "user-2", auth_time: AUTH_TIME }));
    await expectSessionEnded(jar, answer, /\bsub\b/);
  });

  it("oidcc-client-test-refresh-token-invalid-issuer: ends the session when the refresh answer's ID token has another issuer", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const answer = await openAccountRenewingWith(jar, () =>
      provider.sign({ iss: "https://sso.example.com/realms/other", auth_time: AUTH_TIME }),
    );
    await expectSessionEnded(jar, answer, /\biss\b/);
  });

  it("oidcc-client-test-refresh-token-invalid-azp: ends the session when the refresh answer's ID token has an azp the login's had not", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const answer = await openAccountRenewingWith(jar, () => provider.sign({ azp: "remix-app", auth_time: AUTH_TIME }));
    await expectSessionEnded(jar, answer, /\bazp\b/);
  });

  it("accepts a refresh whose ID token has a later auth_time: the user signed in again within the provider's session", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const { response } = await openAccountRenewingWith(jar, () => provider.sign({ auth_time: AUTH_TIME + 30 }));
    expect(response.status).toBe(200);
    expect(textOf(await response.text())).toContain("A User");
  });

  it.each([
    ["an auth_time before the login's", { auth_time: AUTH_TIME - 30 }, {}, /auth_time/],
    ["another audience", { aud: ["remix-app", "api"], azp: "remix-app", auth_time: AUTH_TIME }, {}, /\baud\b/],
    ["a signature by another key", { auth_time: AUTH_TIME }, { other: true }, /signature/],
  ])(
    "ends the session, storing nothing of it, when the refresh answer's ID token has %s (OpenID Connect Core 12.2)",
    async (_label, claims, { other }: { other?: boolean }, why) => {
      const jar = new CookieJar();
      await logIn(jar);
      const answer = await openAccountRenewingWith(jar, () =>
        provider.sign(claims, other ? { key: otherKey } : undefined),
      );
      await expectSessionEnded(jar, answer, why);
    },
  );
});
