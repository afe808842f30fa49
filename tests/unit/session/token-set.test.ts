import { describe, expect, it } from "vitest";
import { checkDue, isSessionTokens, needsRefresh, sessionTokens } from "~/auth/session/token-set";

describe("sessionTokens", () => {
  it("keeps the access token, the refresh token, the expiry and when they were issued, in whole seconds", () => {
    expect(sessionTokens({ access_token: "a", refresh_token: "r", expires_in: 300 }, 1000.7)).toEqual({
      accessToken: "a",
      refreshToken: "r",
      expiresAt: 1300,
      checkedAt: 1000,
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
    expect(sessionTokens({ access_token: "a" }, 100)).toEqual({ accessToken: "a", checkedAt: 100 });
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

describe("checkDue", () => {
  const tokens = { accessToken: "a", refreshToken: "r", checkedAt: 1000 };
  it.each([
    ["the interval not yet passed", tokens, 1299, 300, false],
    ["the interval passed", tokens, 1300, 300, true],
    ["checks off (0)", tokens, 9999, 0, false],
    ["no refresh token: nothing can ask", { accessToken: "a", checkedAt: 1000 }, 9999, 300, false],
    ["a session from before checkedAt was kept", { accessToken: "a", refreshToken: "r" }, 1000, 300, true],
    ["no tokens", null, 9999, 300, false],
  ])("%s", (_, value, now, interval, expected) => {
    expect(checkDue(value, now, interval)).toBe(expected);
  });
});

describe("isSessionTokens", () => {
  it.each([
    [{ accessToken: "a" }, true],
    [{ accessToken: "a", refreshToken: "r", expiresAt: 1 }, true],
    [{ accessToken: 1 }, false],
    [{ accessToken: "a", refreshToken: 2 }, false],
    [{ accessToken: "a", expiresAt: "soon" }, false],
    [{ accessToken: "a", checkedAt: 1 }, true],
    [{ accessToken: "a", checkedAt: "now" }, false],
    [null, false],
  ])("%j: %s", (value, expected) => {
    expect(isSessionTokens(value)).toBe(expected);
  });
});
