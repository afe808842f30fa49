import { describe, expect, it } from "vitest";
import { checkConfig } from "~/auth/core/config-schema.server";
import { ConfigError } from "~/auth/core/errors";
import { createAuth } from "~/auth/index.server";
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
