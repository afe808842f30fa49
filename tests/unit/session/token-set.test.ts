import { describe, expect, it } from "vitest";
import { isSessionTokens, needsRefresh, sessionTokens } from "~/auth/session/token-set";

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
