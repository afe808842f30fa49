import { describe, expect, it } from "vitest";
import { checkConfig } from "~/auth/core/config-schema.server";
import { ConfigError } from "~/auth/core/errors";
import { createAuth, DEV_SESSION_SECRET } from "~/auth/index.server";
import { remix } from "~/auth/frameworks/remix.server";
import { testConfig } from "../../support/auth-context";

/** The problems checkConfig names for `config`, one line each. */
function problems(config: unknown): string[] {
  try {
    checkConfig(config as ReturnType<typeof testConfig>);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => problem.message);
  }
}

describe("a configuration built in code", () => {
  it("passes as parseConfig makes it, with several realms, providers, Redis and client keys", () => {
    const config = testConfig({
      APP_URL: "https://app.example.com",
      KEYCLOAK_REALMS: "acme",
      OIDC_PROVIDERS: "partner",
      OIDC_PROVIDER_PARTNER_ISSUER: "https://login.partner.example/",
      OIDC_PROVIDER_PARTNER_CLIENT_ID: "app",
      REDIS_URL: "redis://127.0.0.1:6379",
      SESSION_STORE: "redis",
    });
    expect(problems(config)).toEqual([]);
  });

  it("is refused by createAuth with every problem named by its path, before any request", () => {
    const good = testConfig();
    const bad = {
      ...good,
      appUrl: "http://localhost:3000/",
      sessionSecrets: [],
      defaultProvider: "elsewhere",
      providers: [good.providers[0]!, { ...good.providers[0]!, clientId: "" }],
      sessionStore: "redis",
    };
    expect(() => createAuth(bad as typeof good, { framework: remix })).toThrow(ConfigError);
    expect(problems(bad)).toEqual([
      "appUrl: must be an origin: scheme, host and port, no path or slash",
      "sessionSecrets: needs at least one secret",
      expect.stringMatching(/^providers\.1\.clientId: /),
      "providers: names must differ",
      "defaultProvider: must name one of the providers",
      "sessionStore: redis needs a redisUrl",
    ]);
  });

  it("names each rule that spans fields", () => {
    const good = testConfig();
    expect(
      problems({ ...good, defaultProvider: "elsewhere", providers: [good.providers[0]!, good.providers[0]!] }),
    ).toEqual(["providers: names must differ", "defaultProvider: must name one of the providers"]);
    expect(problems({ ...good, sessionStore: "redis" })).toEqual(["sessionStore: redis needs a redisUrl"]);
    expect(problems({ ...good, secureCookies: true })).toEqual([
      "secureCookies: secureCookies must be true exactly when appUrl is https",
    ]);
  });
});

describe("a configuration built in code for production", () => {
  it("is held to what parseConfig refuses there: the development secret, a weak one, a public http origin", () => {
    const good = testConfig();
    const production = { ...good, production: true };
    expect(problems({ ...production, sessionSecrets: [DEV_SESSION_SECRET] })).toEqual([
      expect.stringMatching(/^sessionSecrets: a secret is weak for production/),
    ]);
    expect(problems({ ...production, sessionSecrets: ["a".repeat(40)] })).toHaveLength(1);
    expect(problems({ ...production, appUrl: "http://app.example.com" })).toEqual([
      "appUrl: must be https in production (http only for localhost or 127.0.0.1)",
    ]);
    expect(problems({ ...production, sessionSecrets: ["k3Jd9!xQ2#vLp8&Zr5@Wm1^Tb7*Nc4$Gh6"] })).toEqual([]);
  });

  it("is the instance's own copy: changing the object afterwards changes nothing", () => {
    const config = { ...testConfig(), sessionMaxAge: 600 };
    const auth = createAuth(config, { framework: remix });
    config.sessionMaxAge = 1;
    expect(auth.config.sessionMaxAge).toBe(600);
    expect(Object.isFrozen(auth.config.providers[0])).toBe(true);
  });
});
