import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { validateJwtAccessToken } from "~/auth/protocol/access-token-jwt.server";
import { AuthError } from "~/auth/core/errors";
import { isSessionTokens, needsRefresh, rolesFromClaims, sessionTokens } from "~/auth/session/token-set";

describe("sessionTokens", () => {
  it("keeps the access token, the refresh token and the expiry in whole seconds", () => {
    expect(sessionTokens({ access_token: "a", refresh_token: "r", expires_in: 300 }, 1000.7)).toEqual({
      accessToken: "a",
      refreshToken: "r",
      expiresAt: 1300,
    });
  });

  it("replaces the refresh token by the rotated one, and keeps the old one when the provider sent none", () => {
    const previous = { accessToken: "a1", refreshToken: "r1", expiresAt: 10 };
    expect(sessionTokens({ access_token: "a2", refresh_token: "r2", expires_in: 60 }, 100, previous).refreshToken).toBe(
      "r2",
    );
    expect(sessionTokens({ access_token: "a2", expires_in: 60 }, 100, previous).refreshToken).toBe("r1");
  });

  it("leaves out what the provider did not say", () => {
    expect(sessionTokens({ access_token: "a" }, 100)).toEqual({ accessToken: "a" });
  });
});

describe("needsRefresh", () => {
  it.each([
    ["31 s left", 1031, false],
    ["30 s left", 1030, true],
    ["expired", 900, true],
  ])("with %s: %s", (_, expiresAt, expected) => {
    expect(needsRefresh({ accessToken: "a", expiresAt }, 1000)).toBe(expected);
  });

  it("uses a token of unknown expiry until an API refuses it", () => {
    expect(needsRefresh({ accessToken: "a" }, 1000)).toBe(false);
  });
});

describe("isSessionTokens", () => {
  it.each([
    [{ accessToken: "a" }, true],
    [{ accessToken: "a", refreshToken: "r", expiresAt: 1 }, true],
    [{ accessToken: 1 }, false],
    [{ accessToken: "a", refreshToken: 2 }, false],
    [{ accessToken: "a", expiresAt: "soon" }, false],
    [null, false],
  ])("%j: %s", (value, expected) => {
    expect(isSessionTokens(value)).toBe(expected);
  });
});

describe("rolesFromClaims", () => {
  const claims = {
    realm_access: { roles: ["admin", "offline_access"] },
    resource_access: {
      "remix-app": { roles: ["editor"] },
      "acme-portal": { roles: ["editor"] },
      account: { roles: ["view-profile"] },
    },
  };
  const defaultRealm = "demo";

  it.each([
    [
      "the default realm: realm roles as they are, this app's client roles app:<role>, other clients' <client>:<role>",
      { provider: "demo", kind: "keycloak", clientId: "remix-app" },
      ["admin", "offline_access", "app:editor", "acme-portal:editor", "account:view-profile"],
    ],
    [
      "another realm: the same, qualified by the realm's name",
      { provider: "acme", kind: "keycloak", clientId: "acme-portal" },
      ["acme/admin", "acme/offline_access", "acme/remix-app:editor", "acme/app:editor", "acme/account:view-profile"],
    ],
    [
      "a generic OpenID provider: none, whatever Keycloak-shaped claims its token carries",
      { provider: "partner", kind: "oidc", clientId: "remix-app" },
      [],
    ],
  ] as const)("names the roles of %s", (_, source, expected) => {
    expect(rolesFromClaims(claims, { ...source, defaultRealm })).toEqual(expected);
  });

  it.each([
    ["no role claims", {}],
    [
      "roles that are not lists",
      { realm_access: { roles: "admin" }, resource_access: { "remix-app": { roles: { editor: true } } } },
    ],
    ["a resource_access that is not an object", { resource_access: "remix-app" }],
    ["roles that are not strings", { realm_access: { roles: [1, null, { name: "admin" }] } }],
  ])("finds none in %s", (_, claims) => {
    expect(
      rolesFromClaims(claims, { provider: "demo", kind: "keycloak", clientId: "remix-app", defaultRealm }),
    ).toEqual([]);
  });
});

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

  // Keycloak: header typ JWT, claim typ Bearer (access), ID (ID token), Refresh, Logout (before 25);
  // RFC 9068: header typ at+jwt; logout tokens: header typ logout+jwt (RFC 8417, OpenID back-channel logout).
  it.each([
    ["Keycloak's access token (header JWT, claim Bearer)", "JWT", "Bearer"],
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
