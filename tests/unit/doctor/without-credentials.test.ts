import { describe, expect, it } from "vitest";
import { urlWithoutCredentials, withoutCredentials } from "../../../scripts/doctor/result";

// What the doctor prints of a URL: never any part of its user name or password.
const urls: [string, string, string][] = [
  ["a password with @ (the URL parser's reading)", "redis://:p@ssw0rd-SECRET-tail@host:6379", "redis://host:6379"],
  ["a password with @ the URL parser refuses", "redis://:p@ssw0rd-SECRET-tail@host:port", "redis://host:port"],
  ["a user and a password with @", "rediss://app-user:p@ss@redis.internal:6380/2", "rediss://redis.internal:6380/2"],
  ["a user alone", "redis://app-user@redis.internal:6379", "redis://redis.internal:6379"],
  ["a percent-encoded password", "redis://:p%40ss@host:6379", "redis://host:6379"],
  ["a password with /", "redis://:pa/ss-SECRET@host:6379", "redis://host:6379"],
  ["a password with # and ?", "redis://:pa#s?s-SECRET@host:6379", "redis://host:6379"],
  ["a password with digits then /", "redis://user:12/SECRET@host:6379", "redis://host:6379"],
  [
    "an https URL with credentials",
    "https://admin:pw@sso.example.com/realms/demo",
    "https://sso.example.com/realms/demo",
  ],
  ["an https URL with @ in its path", "https://sso.example.com/realms/a@b", "https://sso.example.com/realms/a@b"],
  ["an https URL with @ in password and path", "https://u:p@w@sso.example.com/a@b", "https://sso.example.com/a@b"],
  ["no credentials", "redis://127.0.0.1:6379", "redis://127.0.0.1:6379"],
  ["nothing", "", ""],
];

describe("urlWithoutCredentials", () => {
  it.each(urls)("prints %s without them", (_, url, printed) => {
    expect(urlWithoutCredentials(url)).toBe(printed);
  });

  it("reads the whole value as one URL, so a password with a space goes too", () => {
    expect(urlWithoutCredentials("redis://:pass SECRET@host:6379")).toBe("redis://host:6379");
  });

  it("drops everything up to the last @ of a value without a scheme", () => {
    expect(urlWithoutCredentials("user:SECRET@host:6379")).toBe("host:6379");
  });
});

describe("withoutCredentials", () => {
  it.each(urls)("removes them from text around %s", (_, url, printed) => {
    expect(withoutCredentials(`connecting to ${url}: refused`)).toBe(`connecting to ${printed}: refused`);
  });

  it("removes them from every URL in the text", () => {
    expect(withoutCredentials("from https://a:SECRET@one.example/x to redis://:p@SECRET@two.example:1")).toBe(
      "from https://one.example/x to redis://two.example:1",
    );
  });
});
