import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { envName, parseConfig } from "~/auth/core/config.server";
import { ConfigError } from "~/auth/core/errors";

const valid = {
  KEYCLOAK_URL: "https://sso.example.com/",
  KEYCLOAK_REALM: "demo",
  KEYCLOAK_CLIENT_ID: "remix-app",
  KEYCLOAK_CLIENT_SECRET: "s3cret",
  SESSION_SECRET: "test-session-secret-0123456789abcdef",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.message);
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("derives the realm's issuer and the defaults", () => {
    const config = parseConfig(valid);
    expect(config.appUrl).toBe("http://localhost:3000");
    expect(config.secureCookies).toBe(false);
    expect(config.sessionMaxAge).toBe(8 * 60 * 60);
    expect(config.defaultProvider).toBe("demo");
    expect(config.providers).toEqual([
      {
        name: "demo",
        kind: "keycloak",
        label: "demo",
        issuer: "https://sso.example.com/realms/demo",
        keycloakUrl: "https://sso.example.com",
        clientId: "remix-app",
        clientSecret: "s3cret",
        clientPrivateKey: null,
        dpop: false,
      },
    ]);
    expect(Object.isFrozen(config.providers[0])).toBe(true);
  });

  it("treats an empty client secret as a public client", () => {
    expect(parseConfig({ ...valid, KEYCLOAK_CLIENT_SECRET: "" }).providers[0]!.clientSecret).toBeNull();
  });

  it("makes cookies Secure exactly when APP_URL is https", () => {
    expect(parseConfig({ ...valid, APP_URL: "https://app.example.com" }).secureCookies).toBe(true);
  });

  it("splits SESSION_SECRET on commas so the first signs and all verify", () => {
    expect(parseConfig({ ...valid, SESSION_SECRET: "new-secret,old-secret" }).sessionSecrets).toEqual([
      "new-secret",
      "old-secret",
    ]);
  });

  it("serves every realm of KEYCLOAK_REALMS, the default first and once", () => {
    const config = parseConfig({ ...valid, KEYCLOAK_REALMS: " acme, demo,globex-eu ,," });
    expect(config.providers.map((p) => [p.name, p.issuer])).toEqual([
      ["demo", "https://sso.example.com/realms/demo"],
      ["acme", "https://sso.example.com/realms/acme"],
      ["globex-eu", "https://sso.example.com/realms/globex-eu"],
    ]);
    expect(config.defaultProvider).toBe("demo");
  });

  it("lets a realm override the client id and secret", () => {
    const config = parseConfig({
      ...valid,
      KEYCLOAK_REALMS: "acme,globex-eu",
      KEYCLOAK_REALM_ACME_CLIENT_ID: "acme-app",
      KEYCLOAK_REALM_GLOBEX_EU_CLIENT_SECRET: "",
      KEYCLOAK_REALM_GLOBEX_EU_LABEL: "Globex (EU)",
    });
    expect(config.providers.map((p) => [p.name, p.clientId, p.clientSecret, p.label])).toEqual([
      ["demo", "remix-app", "s3cret", "demo"],
      ["acme", "acme-app", "s3cret", "acme"],
      ["globex-eu", "remix-app", "s3cret", "Globex (EU)"],
    ]);
  });

  it("needs no shared client id when every realm has its own", () => {
    const config = parseConfig({ ...valid, KEYCLOAK_CLIENT_ID: undefined, KEYCLOAK_REALM_DEMO_CLIENT_ID: "demo-app" });
    expect(config.providers[0]!.clientId).toBe("demo-app");
  });

  it("adds generic OpenID providers after the realms, keeping the issuer exactly as configured", () => {
    const config = parseConfig({
      ...valid,
      OIDC_PROVIDERS: "partner",
      OIDC_PROVIDER_PARTNER_ISSUER: "https://login.partner.example/",
      OIDC_PROVIDER_PARTNER_CLIENT_ID: "partner-app",
      OIDC_PROVIDER_PARTNER_LABEL: "Partner SSO",
    });
    expect(config.providers[1]).toEqual({
      name: "partner",
      kind: "oidc",
      label: "Partner SSO",
      issuer: "https://login.partner.example/",
      clientId: "partner-app",
      clientSecret: null,
      clientPrivateKey: null,
      dpop: false,
    });
  });

  it("binds tokens with DPoP only where told: shared, per realm, per provider; anything but true or false is refused", () => {
    const env = {
      ...valid,
      KEYCLOAK_REALMS: "acme",
      KEYCLOAK_DPOP: "true",
      KEYCLOAK_REALM_ACME_DPOP: "false",
      OIDC_PROVIDERS: "a,b",
      OIDC_PROVIDER_A_ISSUER: "https://a.example",
      OIDC_PROVIDER_A_CLIENT_ID: "x",
      OIDC_PROVIDER_B_ISSUER: "https://b.example",
      OIDC_PROVIDER_B_CLIENT_ID: "x",
      OIDC_PROVIDER_B_DPOP: "true",
    };
    expect(parseConfig(env).providers.map((p) => p.dpop)).toEqual([true, false, false, true]);
    expect(() => parseConfig({ ...valid, KEYCLOAK_DPOP: "yes" })).toThrow(
      /KEYCLOAK_DPOP must be "true" or "false", got "yes"/,
    );
  });

  it("leaves the logout method to the provider's strategy unless told otherwise", () => {
    const env = {
      ...valid,
      KEYCLOAK_REALMS: "acme",
      KEYCLOAK_REALM_ACME_LOGOUT_METHOD: "post",
      OIDC_PROVIDERS: "a,b",
      OIDC_PROVIDER_A_ISSUER: "https://a.example",
      OIDC_PROVIDER_A_CLIENT_ID: "x",
      OIDC_PROVIDER_B_ISSUER: "https://b.example",
      OIDC_PROVIDER_B_CLIENT_ID: "x",
      OIDC_PROVIDER_B_LOGOUT_METHOD: "post",
    };
    expect(parseConfig(env).providers.map((p) => p.logoutMethod)).toEqual([undefined, "post", undefined, "post"]);
    expect(parseConfig({ ...valid, KEYCLOAK_LOGOUT_METHOD: "post" }).providers[0]!.logoutMethod).toBe("post");
  });

  it.each([
    ["a PEM", (key: KeyObject) => key.export({ format: "pem", type: "pkcs8" }).toString()],
    [
      "a PEM with escaped newlines, as .env files write it",
      (key: KeyObject) => key.export({ format: "pem", type: "pkcs8" }).toString().replace(/\n/g, "\\n"),
    ],
    ["a private JWK", (key: KeyObject) => JSON.stringify(key.export({ format: "jwk" }))],
  ])("reads a client private key given as %s, for private_key_jwt", (_label, format) => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const key = parseConfig({ ...valid, KEYCLOAK_REALM_DEMO_CLIENT_PRIVATE_KEY: format(privateKey) }).providers[0]!
      .clientPrivateKey;
    expect(key).toMatchObject({
      alg: "ES256",
      kid: expect.stringMatching(/^[\w-]{43}$/),
      jwk: { kty: "EC", crv: "P-256", d: expect.any(String) },
    });
  });

  it("keeps the kid a JWK names, and shares KEYCLOAK_CLIENT_PRIVATE_KEY between realms", () => {
    const jwk = { ...generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }), kid: "app-2026" };
    const config = parseConfig({ ...valid, KEYCLOAK_REALMS: "acme", KEYCLOAK_CLIENT_PRIVATE_KEY: JSON.stringify(jwk) });
    expect(config.providers.map((p) => [p.clientPrivateKey?.kid, p.clientPrivateKey?.alg])).toEqual([
      ["app-2026", "EdDSA"],
      ["app-2026", "EdDSA"],
    ]);
  });

  it("refuses two different client keys under one kid, naming both variables, with every other problem", () => {
    const keyWithKid = (kid: string) =>
      JSON.stringify({
        ...generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }),
        kid,
      });
    const problems = problemsOf({
      ...valid,
      KEYCLOAK_REALMS: "acme",
      KEYCLOAK_CLIENT_PRIVATE_KEY: keyWithKid("app-2026"),
      KEYCLOAK_REALM_ACME_CLIENT_PRIVATE_KEY: keyWithKid("app-2026"),
      OIDC_PROVIDERS: "partner",
      OIDC_PROVIDER_PARTNER_ISSUER: "https://partner.example",
      OIDC_PROVIDER_PARTNER_CLIENT_ID: "x",
      OIDC_PROVIDER_PARTNER_CLIENT_PRIVATE_KEY: keyWithKid("app-2026"),
      SESSION_MAX_AGE: "8h",
    });
    expect(problems).toEqual([
      'KEYCLOAK_REALM_ACME_CLIENT_PRIVATE_KEY has the kid "app-2026" of another key, KEYCLOAK_CLIENT_PRIVATE_KEY: /auth/jwks.json can serve only one of them; give each key its own kid',
      'OIDC_PROVIDER_PARTNER_CLIENT_PRIVATE_KEY has the kid "app-2026" of another key, KEYCLOAK_CLIENT_PRIVATE_KEY: /auth/jwks.json can serve only one of them; give each key its own kid',
      'SESSION_MAX_AGE must be a positive whole number, got "8h"',
    ]);
  });

  it("takes one key given in two variables (the same kid) as one key", () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
    const config = parseConfig({
      ...valid,
      KEYCLOAK_REALMS: "acme",
      KEYCLOAK_CLIENT_PRIVATE_KEY: pem,
      KEYCLOAK_REALM_ACME_CLIENT_PRIVATE_KEY: pem,
    });
    expect(new Set(config.providers.map((p) => p.clientPrivateKey?.kid)).size).toBe(1);
  });

  it.each([
    ["not a key", "KEYCLOAK_CLIENT_PRIVATE_KEY is not a private key"],
    [
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .privateKey.export({ format: "pem", type: "pkcs8" })
        .toString(),
      "KEYCLOAK_CLIENT_PRIVATE_KEY: use an RSA (2048 bits or more)",
    ],
  ])("refuses a client private key that is %#", (value, problem) => {
    expect(problemsOf({ ...valid, KEYCLOAK_CLIENT_PRIVATE_KEY: value })).toEqual([expect.stringContaining(problem)]);
  });

  it.each([
    ["demo", "DEMO"],
    ["globex-eu", "GLOBEX_EU"],
    ["a.b_c", "A_B_C"],
  ])("names realm %s as %s in variables", (name, expected) => {
    expect(envName(name)).toBe(expected);
  });

  it.each([
    ["KEYCLOAK_URL", { KEYCLOAK_URL: undefined }],
    ["KEYCLOAK_URL", { KEYCLOAK_URL: "sso.example.com" }],
    ["KEYCLOAK_URL", { KEYCLOAK_URL: "ftp://sso.example.com" }],
    ["KEYCLOAK_REALM", { KEYCLOAK_REALM: undefined }],
    ["KEYCLOAK_REALM", { KEYCLOAK_REALM: "a/b" }],
    ["KEYCLOAK_REALM", { KEYCLOAK_REALM: ".." }],
    ["KEYCLOAK_REALMS", { KEYCLOAK_REALMS: "acme,bad name" }],
    ["KEYCLOAK_REALMS", { KEYCLOAK_REALMS: "%2e%2e" }],
    ["KEYCLOAK_REALMS", { KEYCLOAK_REALMS: "a?b" }],
    ["KEYCLOAK_CLIENT_ID", { KEYCLOAK_CLIENT_ID: "  " }],
    [
      "OIDC_PROVIDERS",
      { OIDC_PROVIDERS: "demo", OIDC_PROVIDER_DEMO_ISSUER: "https://x.example", OIDC_PROVIDER_DEMO_CLIENT_ID: "x" },
    ],
    ["OIDC_PROVIDER_PARTNER_ISSUER", { OIDC_PROVIDERS: "partner", OIDC_PROVIDER_PARTNER_CLIENT_ID: "x" }],
    [
      "OIDC_PROVIDER_PARTNER_CLIENT_ID",
      { OIDC_PROVIDERS: "partner", OIDC_PROVIDER_PARTNER_ISSUER: "https://x.example" },
    ],
    ["PORT", { PORT: "abc" }],
    ["PORT", { PORT: "0" }],
    ["PORT", { PORT: "65536" }],
    ["APP_URL", { APP_URL: "localhost:3000" }],
    ["APP_URL", { APP_URL: "https://app.example.com/base" }],
    ["SESSION_SECRET", { SESSION_SECRET: "a,,b" }],
    ["SESSION_MAX_AGE", { SESSION_MAX_AGE: "8h" }],
    ["KEYCLOAK_LOGOUT_METHOD", { KEYCLOAK_LOGOUT_METHOD: "get" }],
    ["KEYCLOAK_REALM_DEMO_LOGOUT_METHOD", { KEYCLOAK_REALM_DEMO_LOGOUT_METHOD: "POST" }],
    ["REDIS_URL", { REDIS_URL: "http://127.0.0.1:6379" }],
  ])("names %s when it is invalid", (variable, override) => {
    const problems = problemsOf({ ...valid, ...override });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}\\b`));
  });

  it("requires a long SESSION_SECRET in production only", () => {
    const production = { ...valid, NODE_ENV: "production", APP_URL: "https://app.example.com" };
    expect(problemsOf({ ...valid, SESSION_SECRET: undefined })).toEqual([]);
    expect(problemsOf({ ...production, SESSION_SECRET: undefined })).toEqual([
      expect.stringMatching(/^SESSION_SECRET/),
    ]);
    expect(problemsOf({ ...production, SESSION_SECRET: "short" })).toEqual([expect.stringMatching(/^SESSION_SECRET/)]);
    // What the doctor fails, production refuses too; named without the secret.
    expect(problemsOf({ ...production, SESSION_SECRET: `${"a".repeat(38)},${valid.SESSION_SECRET}` })).toEqual([
      "SESSION_SECRET: a secret is too repetitive (fewer than 10 different characters); generate one with `openssl rand -base64 48`",
    ]);
    expect(problemsOf({ ...production, SESSION_SECRET: "a1b2".repeat(10) })).toEqual([
      expect.stringContaining("SESSION_SECRET: a secret is too repetitive"),
    ]);
  });

  it("takes the port remix-serve listens on as the default APP_URL outside production", () => {
    expect(parseConfig({ ...valid, PORT: "3713" }).appUrl).toBe("http://localhost:3713");
    expect(parseConfig({ ...valid, PORT: "3713", APP_URL: "https://app.example.com" }).appUrl).toBe(
      "https://app.example.com",
    );
    expect(problemsOf({ ...valid, PORT: "abc" })).toEqual(['PORT must be a port number from 1 to 65535, got "abc"']);
  });

  it("requires APP_URL in production, where the public origin is not the port the server listens on", () => {
    expect(problemsOf({ ...valid, NODE_ENV: "production", PORT: "3713" })).toEqual([
      "APP_URL is required in production: the public origin of the app as browsers see it, e.g. https://app.example.com",
    ]);
    expect(parseConfig({ ...valid, NODE_ENV: "production", APP_URL: "http://localhost:3713" }).appUrl).toBe(
      "http://localhost:3713",
    );
  });

  it("reports every bad variable at once", () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^KEYCLOAK_URL/),
      expect.stringMatching(/^KEYCLOAK_REALM/),
      "KEYCLOAK_CLIENT_ID is required: the client id of this app in the realms",
    ]);
    // A client id of each realm's own is not missing.
    expect(problemsOf({ KEYCLOAK_REALMS: "acme", KEYCLOAK_REALM_ACME_CLIENT_ID: "acme-portal" })).toEqual([
      expect.stringMatching(/^KEYCLOAK_URL/),
      expect.stringMatching(/^KEYCLOAK_REALM/),
    ]);
    expect(problemsOf({ KEYCLOAK_REALM: "demo" })).toEqual([
      expect.stringMatching(/^KEYCLOAK_URL/),
      expect.stringMatching(/^KEYCLOAK_CLIENT_ID/),
    ]);
  });

  it("checks sessions with the provider every 300 s by default, at SESSION_CHECK_INTERVAL, never with 0", () => {
    expect(parseConfig(valid).sessionCheckInterval).toBe(300);
    expect(parseConfig({ ...valid, SESSION_CHECK_INTERVAL: "60" }).sessionCheckInterval).toBe(60);
    expect(parseConfig({ ...valid, SESSION_CHECK_INTERVAL: "0" }).sessionCheckInterval).toBe(0);
    expect(problemsOf({ ...valid, SESSION_CHECK_INTERVAL: "5m" })).toEqual([
      'SESSION_CHECK_INTERVAL must be a whole number (0 or more), got "5m"',
    ]);
  });

  it("keeps sessions in the cookie by default, in Redis with SESSION_STORE=redis, which needs REDIS_URL", () => {
    expect(parseConfig(valid).sessionStore).toBe("cookie");
    expect(parseConfig({ ...valid, SESSION_STORE: "redis", REDIS_URL: "redis://127.0.0.1:6379" }).sessionStore).toBe(
      "redis",
    );
    expect(problemsOf({ ...valid, SESSION_STORE: "redis" })).toEqual([
      "SESSION_STORE=redis needs REDIS_URL: where the sessions are kept",
    ]);
    expect(problemsOf({ ...valid, SESSION_STORE: "memcached" })).toEqual([
      'SESSION_STORE must be "cookie" or "redis", got "memcached"',
    ]);
  });
});

describe("REDIS_URL", () => {
  it.each([
    ["a password with @ and a port that is not a number", "redis://:p@ssw0rd-SECRET-tail@host:port"],
    ["a password with /", "redis://:pa/ss-SECRET@host:6379"],
    ["a password with #", "redis://:pa#ss-SECRET@host:6379"],
    ["a path that is not a database number", "redis://user:12/SECRET@host:6379"],
  ])("refuses %s (node-redis could not read it), without printing any of it", (_, url) => {
    const problems = problemsOf({ ...valid, REDIS_URL: url });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL is not a Redis URL: /)]);
    expect(problems[0]).not.toContain("SECRET");
  });

  it.each([
    "redis://127.0.0.1:6379",
    "rediss://app-user:p%40ss@redis.internal:6380/2",
    "redis://:p@ss@host:6379",
    "redis://[::1]:6379/",
  ])("accepts %s", (url) => {
    expect(parseConfig({ ...valid, REDIS_URL: url }).redisUrl).toBe(url);
  });
});

describe("ConfigError", () => {
  it("names each bad variable by itself, next to a line that names it too", () => {
    const error = (() => {
      try {
        parseConfig({ ...valid, SESSION_MAX_AGE: "8h", KEYCLOAK_REALM_DEMO_LOGOUT_METHOD: "get" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        variable: "KEYCLOAK_REALM_DEMO_LOGOUT_METHOD",
        message: 'KEYCLOAK_REALM_DEMO_LOGOUT_METHOD must be "redirect" or "post", got "get"',
      },
      { variable: "SESSION_MAX_AGE", message: 'SESSION_MAX_AGE must be a positive whole number, got "8h"' },
    ]);
  });
});
