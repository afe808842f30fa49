// What OIDCStrategy refuses in an ID token (OpenID Connect Core 3.1.3.7),
// from a provider that sends whatever a test makes it send.
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "~/auth/core/errors";
import { discover, OIDCStrategy } from "~/auth/protocol/oidc-strategy.server";
import { startHostileProvider, type HostileProvider } from "../../support/hostile-provider";

let provider: HostileProvider;
let otherKey: CryptoKey;
beforeAll(async () => {
  provider = await startHostileProvider({ algorithms: ["RS256", "HS256", "none"] });
  otherKey = (await generateKeyPair("RS256")).privateKey;
});
afterAll(() => provider?.close());

/** A whole login through the strategy, the token endpoint answering `idToken`: "ok" or the AuthError's code. */
async function loginWith(idToken: (nonce: string) => Promise<string>): Promise<string> {
  provider.idToken = idToken;
  const strategy = new OIDCStrategy(
    {
      metadata: await discover(provider.issuer),
      clientId: "remix-app",
      clientSecret: null,
      redirectURI: "http://app.test/auth/x/callback",
    },
    async ({ profile }) => profile,
  );
  const start = (await strategy
    .authenticate(new Request("http://app.test/auth/x/login"))
    .catch((thrown: unknown) => thrown)) as Response;
  const state = new URL(start.headers.get("Location")!).searchParams.get("state")!;
  const query = new URLSearchParams({ code: "c", state, iss: provider.issuer });
  const callback = new Request(`http://app.test/auth/x/callback?${query}`, {
    headers: { Cookie: start.headers.get("Set-Cookie")!.split(";")[0]! },
  });
  const error = await strategy.authenticate(callback).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (error === null) return "ok";
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

const now = () => Math.floor(Date.now() / 1000);

describe("the ID token at login", () => {
  it("accepts a valid token", async () => {
    expect(await loginWith((nonce) => provider.sign({ nonce }))).toBe("ok");
  });

  it.each([
    ["another issuer", { iss: "https://sso.example.com/realms/other" }],
    ["another audience", { aud: "someone-else" }],
    ["several audiences and no azp", { aud: ["remix-app", "api"] }],
    ["an azp that is another client", { azp: "someone-else" }],
    ["no sub", { sub: undefined }],
  ])("refuses a token with %s", async (_label, claims) => {
    expect(await loginWith((nonce) => provider.sign({ nonce, ...claims }))).toBe("invalid_id_token");
  });

  it.each([
    ["another nonce", async () => provider.sign({ nonce: "n-attacker" })],
    ["no nonce", async () => provider.sign({})],
    ["a signature by an unknown key under a known kid", (nonce: string) => provider.sign({ nonce }, { key: otherKey })],
    ["an unknown kid", (nonce: string) => provider.sign({ nonce }, { kid: "rotated-away" })],
    [
      "alg none, although the provider advertises it",
      async (nonce: string) => {
        const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
        return `${encode({ alg: "none" })}.${encode({ iss: provider.issuer, aud: "remix-app", sub: "x", nonce, iat: now(), exp: now() + 60 })}.`;
      },
    ],
    [
      "HS256, although the provider advertises it",
      (nonce: string) =>
        new SignJWT({ iss: provider.issuer, aud: "remix-app", sub: "x", nonce, iat: now(), exp: now() + 60 })
          .setProtectedHeader({ alg: "HS256", kid: "k1" })
          .sign(new TextEncoder().encode("a-shared-secret-that-is-long-enough-for-hs256")),
    ],
  ])("refuses a token with %s", async (_label, token) => {
    expect(await loginWith(token)).toBe("invalid_id_token");
  });

  it("accepts several audiences when azp names this client", async () => {
    expect(await loginWith((nonce) => provider.sign({ nonce, aud: ["remix-app", "api"], azp: "remix-app" }))).toBe(
      "ok",
    );
  });
});

describe("clock differences", () => {
  it.each([
    ["ahead", { iat: now() + 600, exp: now() + 900 }],
    ["behind", { iat: now() - 900, exp: now() - 600 }],
  ])("refuses a token from a provider whose clock is 10 minutes %s, as clock_skew", async (_label, claims) => {
    expect(await loginWith((nonce) => provider.sign({ nonce, ...claims }))).toBe("clock_skew");
  });

  it.each([
    ["ahead", { iat: now() + 100, exp: now() + 400 }],
    ["behind", { iat: now() - 400, exp: now() - 100 }],
  ])("accepts a provider whose clock is within the 120 s tolerance %s", async (_label, claims) => {
    expect(await loginWith((nonce) => provider.sign({ nonce, ...claims }))).toBe("ok");
  });
});

describe("userinfo", () => {
  it("refuses a userinfo answer about another subject when the ID token has no profile", async () => {
    provider.userinfo = { sub: "someone-else", name: "Mallory" };
    expect(await loginWith((nonce) => provider.sign({ nonce, name: undefined }))).toBe("invalid_id_token");
  });

  it("completes the profile from userinfo about the same subject", async () => {
    provider.userinfo = { sub: "user-1", name: "A User", email: "a@example.com" };
    provider.idToken = (nonce) => provider.sign({ nonce, name: undefined });
    expect(await loginWith(provider.idToken)).toBe("ok");
  });
});
