import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "~/auth/core/errors";
import { BACKCHANNEL_LOGOUT_EVENT, validateLogoutToken } from "~/auth/protocol/logout-token.server";

const issuer = "https://sso.example.com/realms/demo";
const expected = {
  issuer,
  clientId: "remix-app",
  algorithms: ["RS256"],
  clockToleranceSeconds: 60,
  maxAgeSeconds: 300,
};
const now = () => Math.floor(Date.now() / 1000);

let privateKey: CryptoKey;
let keys: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256");
  privateKey = pair.privateKey;
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256" }] });
});

function sign(claims: JWTPayload, key = privateKey) {
  const valid = {
    iss: issuer,
    aud: "remix-app",
    iat: now(),
    exp: now() + 120,
    jti: "jti-1",
    sub: "user-1",
    sid: "sid-1",
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
  const payload = Object.fromEntries(
    Object.entries({ ...valid, ...claims }).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "k1", typ: "logout+jwt" }).sign(key);
}

describe("validateLogoutToken", () => {
  it("returns the claims of a valid token", async () => {
    await expect(validateLogoutToken(await sign({}), keys, expected)).resolves.toMatchObject({
      sid: "sid-1",
      sub: "user-1",
      jti: "jti-1",
    });
  });

  it.each([
    ["only a sub", { sid: undefined }],
    ["only a sid", { sub: undefined }],
    ["no exp", { exp: undefined }],
  ])("accepts a token with %s", async (_label, claims) => {
    await expect(validateLogoutToken(await sign(claims), keys, expected)).resolves.toMatchObject({ jti: "jti-1" });
  });

  it.each([
    ["another issuer", { iss: "https://sso.example.com/realms/other" }],
    ["another audience", { aud: "other-app" }],
    ["no iat", { iat: undefined }],
    ["an iat older than the maximum age", { iat: now() - 3600, exp: undefined }],
    ["an expiry in the past", { exp: now() - 600 }],
    ["no jti", { jti: undefined }],
    ["an empty jti", { jti: "" }],
    ["no events", { events: undefined }],
    ["events without the back-channel event", { events: { "http://example.com/other": {} } }],
    ["a back-channel event that is not an object", { events: { [BACKCHANNEL_LOGOUT_EVENT]: "yes" } }],
    ["neither sid nor sub", { sid: undefined, sub: undefined }],
    ["a nonce", { nonce: "n-1" }],
  ])("refuses a token with %s", async (_label, claims) => {
    const error = await validateLogoutToken(await sign(claims), keys, expected).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("invalid_logout_token");
  });

  it("refuses a token signed by another key", async () => {
    const other = (await generateKeyPair("RS256")).privateKey;
    await expect(validateLogoutToken(await sign({}, other), keys, expected)).rejects.toThrow(AuthError);
  });

  it("refuses an ID token passed off as a logout token", async () => {
    await expect(validateLogoutToken(await sign({ events: undefined, nonce: "n" }), keys, expected)).rejects.toThrow(
      /back-channel logout event/,
    );
  });
});
