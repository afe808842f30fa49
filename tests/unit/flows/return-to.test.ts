import { describe, expect, it } from "vitest";
import { sanitizeReturnTo } from "~/auth/flows/return-to";

describe("sanitizeReturnTo", () => {
  it.each([
    ["/account", "/account"],
    ["/account?tab=claims", "/account?tab=claims"],
    ["/a/b#section", "/a/b#section"],
    ["/", "/"],
    ["/%C3%A9t%C3%A9", "/%C3%A9t%C3%A9"],
    ["/./account", "/account"],
    ["/a/../account", "/account"],
    ["/../account", "/account"],
  ])("keeps the same-origin path %s", (input, expected) => {
    expect(sanitizeReturnTo(input)).toBe(expected);
  });

  it.each([
    null,
    undefined,
    "",
    "account",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http://evil.example/account",
    "javascript:alert(1)",
    "data:text/html,hi",
    "/%2F%2Fevil.example",
    "/%2fevil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/\tevil",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n//evil.example",
    "/%09/evil.example",
    "/%0d%0aSet-Cookie:x=1",
    "/\u0000/evil.example",
    "/%E0%A4%A",
    " /account",
    // Dot segments that resolve to a protocol-relative path.
    "/..//evil.test",
    "/.//evil.test",
    "/a/..//evil.test",
    "/a/b/../..//evil.test",
    "/%2e%2e//evil.test",
    "/.%2E//evil.test",
    "/..//evil.test/account?x=1#y",
    `/${"a".repeat(3000)}`,
  ])("falls back to / for %j", (input) => {
    expect(sanitizeReturnTo(input)).toBe("/");
  });
});
