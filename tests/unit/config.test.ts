import { describe, expect, it } from "vitest";
import { parseConfig } from "~/auth/config.server";
import { ConfigError } from "~/auth/errors";

const valid = {
  KEYCLOAK_URL: "https://sso.example.com/",
  KEYCLOAK_REALM: "demo",
  KEYCLOAK_CLIENT_ID: "remix-app",
  KEYCLOAK_CLIENT_SECRET: "s3cret",
  SESSION_SECRET: "x".repeat(32),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
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
    expect(config.realms).toEqual([
      {
        name: "demo",
        issuer: "https://sso.example.com/realms/demo",
        keycloakUrl: "https://sso.example.com",
        clientId: "remix-app",
        clientSecret: "s3cret",
      },
    ]);
    expect(Object.isFrozen(config.realms[0])).toBe(true);
  });

  it("treats an empty client secret as a public client", () => {
    expect(parseConfig({ ...valid, KEYCLOAK_CLIENT_SECRET: "" }).realms[0]!.clientSecret).toBeNull();
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

  it.each([
    ["KEYCLOAK_URL", { KEYCLOAK_URL: undefined }],
    ["KEYCLOAK_URL", { KEYCLOAK_URL: "sso.example.com" }],
    ["KEYCLOAK_URL", { KEYCLOAK_URL: "ftp://sso.example.com" }],
    ["KEYCLOAK_REALM", { KEYCLOAK_REALM: undefined }],
    ["KEYCLOAK_REALM", { KEYCLOAK_REALM: "a/b" }],
    ["KEYCLOAK_REALM", { KEYCLOAK_REALM: ".." }],
    ["KEYCLOAK_CLIENT_ID", { KEYCLOAK_CLIENT_ID: "  " }],
    ["APP_URL", { APP_URL: "localhost:3000" }],
    ["APP_URL", { APP_URL: "https://app.example.com/base" }],
    ["SESSION_SECRET", { SESSION_SECRET: "a,,b" }],
    ["SESSION_MAX_AGE", { SESSION_MAX_AGE: "8h" }],
  ])("names %s when it is invalid", (variable, override) => {
    const problems = problemsOf({ ...valid, ...override });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}\\b`));
  });

  it("requires a long SESSION_SECRET in production only", () => {
    expect(problemsOf({ ...valid, SESSION_SECRET: undefined })).toEqual([]);
    expect(problemsOf({ ...valid, SESSION_SECRET: undefined, NODE_ENV: "production" })[0]).toMatch(/^SESSION_SECRET/);
    expect(problemsOf({ ...valid, SESSION_SECRET: "short", NODE_ENV: "production" })[0]).toMatch(/^SESSION_SECRET/);
  });

  it("reports every bad variable at once", () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^KEYCLOAK_URL/),
      expect.stringMatching(/^KEYCLOAK_REALM/),
      expect.stringMatching(/^KEYCLOAK_CLIENT_ID/),
    ]);
  });
});
