import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "~/auth/errors";
import { allowedAlgorithms, validateIdToken } from "~/auth/id-token.server";

const issuer = "https://sso.example.com/realms/demo";
const expected = { issuer, clientId: "remix-app", nonce: "n-123", algorithms: ["RS256"], clockToleranceSeconds: 60 };
const now = () => Math.floor(Date.now() / 1000);

let privateKey: CryptoKey;
let otherKey: CryptoKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair("RS256")).privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] });
});

function sign(claims: JWTPayload, { key = privateKey, kid = "k1" } = {}) {
  const defaults = { iss: issuer, aud: "remix-app", sub: "user-1", nonce: "n-123", iat: now(), exp: now() + 300 };
  return new SignJWT({ ...defaults, ...claims }).setProtectedHeader({ alg: "RS256", kid }).sign(key);
}

async function failureOf(token: string | Promise<string>, overrides = {}) {
  const error = await validateIdToken(await token, keys, { ...expected, ...overrides }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

describe("validateIdToken", () => {
  it("returns the claims of a valid token", async () => {
    const claims = await validateIdToken(await sign({ sid: "s-1", preferred_username: "demo" }), keys, expected);
    expect(claims).toMatchObject({ sub: "user-1", sid: "s-1", preferred_username: "demo", iss: issuer });
  });

  it.each([
    ["another issuer", { iss: "https://sso.example.com/realms/other" }],
    ["another audience", { aud: "someone-else" }],
    ["several audiences and no azp", { aud: ["remix-app", "api"] }],
    ["an azp that is another client", { azp: "someone-else" }],
    ["another nonce", { nonce: "n-attacker" }],
    ["no nonce", { nonce: undefined }],
  ])("refuses a token with %s", async (_label, claims) => {
    expect(await failureOf(sign(claims))).toBe("invalid_id_token");
  });

  it("accepts several audiences when azp names this client", async () => {
    await expect(validateIdToken(await sign({ aud: ["remix-app", "api"], azp: "remix-app" }), keys, expected)).resolves
      .toMatchObject({ azp: "remix-app" });
  });

  it("accepts a token that expired within the clock tolerance", async () => {
    await expect(validateIdToken(await sign({ exp: now() - 30 }), keys, expected)).resolves.toMatchObject({
      sub: "user-1",
    });
  });

  it("refuses a token signed by an unknown key under a known kid", async () => {
    expect(await failureOf(sign({}, { key: otherKey }))).toBe("invalid_id_token");
  });

  it("refuses a token with an unknown kid", async () => {
    expect(await failureOf(sign({}, { kid: "rotated-away" }))).toBe("invalid_id_token");
  });

  it("refuses an unsigned (alg none) token even when none is advertised", async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "none" })}.${encode({ iss: issuer, aud: "remix-app", sub: "x", nonce: "n-123", iat: now(), exp: now() + 60 })}.`;
    expect(await failureOf(unsigned, { algorithms: ["none", "RS256"] })).toBe("invalid_id_token");
  });

  it("refuses an HS256 token even when the provider advertises HS256", async () => {
    const hs = await new SignJWT({ sub: "x", nonce: "n-123" })
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(issuer)
      .setAudience("remix-app")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-shared-secret-that-is-long-enough-for-hs256"));
    expect(await failureOf(hs, { algorithms: ["HS256", "RS256"] })).toBe("invalid_id_token");
  });

  it("refuses a token without sub", async () => {
    const token = await new SignJWT({ nonce: "n-123" })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(issuer)
      .setAudience("remix-app")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(privateKey);
    expect(await failureOf(token)).toBe("invalid_id_token");
  });
});

describe("allowedAlgorithms", () => {
  it.each([
    [["RS256", "HS256", "none", "ES256"], ["RS256", "ES256"]],
    [["HS256", "none"], ["RS256"]],
    [undefined, ["RS256"]],
    [["PS256", "EdDSA"], ["PS256", "EdDSA"]],
  ])("keeps only asymmetric algorithms of %j", (discovered, allowed) => {
    expect(allowedAlgorithms(discovered)).toEqual(allowed);
  });
});

describe("clock differences", () => {
  it.each([
    ["ahead", { iat: now() + 600, exp: now() + 900 }],
    ["behind", { iat: now() - 900, exp: now() - 600 }],
  ])("refuses a token from an IdP whose clock is 10 minutes %s, as clock_skew", async (_label, claims) => {
    expect(await failureOf(sign(claims))).toBe("clock_skew");
  });

  it("accepts an iat within the tolerance", async () => {
    await expect(validateIdToken(await sign({ iat: now() + 30 }), keys, expected)).resolves.toMatchObject({ sub: "user-1" });
  });
});
