import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "~/auth/core/errors";
import { validateJwtAccessToken } from "~/auth/protocol/jwt.server";

describe("validateJwtAccessToken", () => {
  const issuer = "https://sso.example.com/realms/demo";
  const expected = { issuer, clientId: "remix-app", algorithms: ["RS256"], clockToleranceSeconds: 60 };
  const now = () => Math.floor(Date.now() / 1000);
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let keys: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256" }] });
  });

  /** A Keycloak-like access token: `aud` the account API, `azp` the client. */
  function sign(claims: JWTPayload, key = privateKey, header: { typ?: string } = { typ: "JWT" }) {
    const valid = {
      iss: issuer,
      aud: "account",
      azp: "remix-app",
      sub: "u1",
      iat: now(),
      exp: now() + 300,
      realm_access: { roles: ["admin"] },
    };
    const payload = Object.fromEntries(
      Object.entries({ ...valid, ...claims }).filter(([, value]) => value !== undefined),
    );
    return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "k1", ...header }).sign(key);
  }

  it("returns the claims of a token issued to this client (azp), whatever its aud", async () => {
    await expect(validateJwtAccessToken(await sign({}), keys, expected)).resolves.toMatchObject({
      realm_access: { roles: ["admin"] },
    });
  });

  it("accepts a token without azp whose aud names this client", async () => {
    await expect(
      validateJwtAccessToken(await sign({ azp: undefined, aud: ["remix-app", "account"] }), keys, expected),
    ).resolves.toBeDefined();
  });

  it.each([
    ["another client's (azp)", { azp: "other-app", aud: "remix-app" }],
    ["without azp, for other audiences", { azp: undefined, aud: "account" }],
    ["from another issuer", { iss: "https://sso.example.com/realms/other" }],
    ["expired", { exp: now() - 600 }],
    ["without exp", { exp: undefined }],
  ])("refuses a token %s as forbidden", async (_, claims) => {
    const refusal = validateJwtAccessToken(await sign(claims), keys, expected);
    await expect(refusal).rejects.toBeInstanceOf(AuthError);
    await expect(refusal).rejects.toMatchObject({ code: "forbidden" });
  });

  // Keycloak: header typ JWT, claim typ Bearer (access; DPoP when bound), ID (ID token), Refresh, Logout (before 25);
  // RFC 9068: header typ at+jwt; logout tokens: header typ logout+jwt (RFC 8417, OpenID back-channel logout).
  it.each([
    ["Keycloak's access token (header JWT, claim Bearer)", "JWT", "Bearer"],
    ["Keycloak's DPoP-bound access token (claim DPoP, measured on 26.7.3)", "JWT", "DPoP"],
    ["an RFC 9068 access token (header at+jwt)", "at+jwt", undefined],
    ["an RFC 9068 access token with the media type's prefix", "application/at+jwt", undefined],
    ["another provider's token without any typ", undefined, undefined],
    ["another provider's token typed only JWT", "JWT", undefined],
  ])("accepts %s", async (_, headerTyp, claimTyp) => {
    await expect(
      validateJwtAccessToken(await sign({ typ: claimTyp }, privateKey, { typ: headerTyp }), keys, expected),
    ).resolves.toBeDefined();
  });

  it.each([
    ["Keycloak's ID token (claim ID)", "JWT", "ID"],
    ["an ID token typed at+jwt in its header", "at+jwt", "ID"],
    ["Keycloak's refresh token (claim Refresh)", "JWT", "Refresh"],
    ["a logout token (header logout+jwt)", "logout+jwt", undefined],
    ["Keycloak 24's logout token (claim Logout)", "JWT", "Logout"],
    ["a security event token (header secevent+jwt)", "secevent+jwt", undefined],
    ["a DPoP proof (header dpop+jwt)", "dpop+jwt", undefined],
  ])("refuses %s as an access token, as forbidden", async (_, headerTyp, claimTyp) => {
    const refusal = validateJwtAccessToken(
      await sign({ typ: claimTyp }, privateKey, { typ: headerTyp }),
      keys,
      expected,
    );
    await expect(refusal).rejects.toBeInstanceOf(AuthError);
    await expect(refusal).rejects.toMatchObject({ code: "forbidden", detail: expect.stringMatching(/typ/) });
  });

  it("refuses a token signed with another key, and one with alg none", async () => {
    await expect(validateJwtAccessToken(await sign({}, otherKey), keys, expected)).rejects.toMatchObject({
      code: "forbidden",
    });
    const [, payload] = (await sign({})).split(".");
    const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", kid: "k1" })).toString("base64url")}.${payload}.`;
    await expect(validateJwtAccessToken(unsigned, keys, expected)).rejects.toMatchObject({ code: "forbidden" });
  });
});
