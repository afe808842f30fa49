import { describe, expect, it } from "vitest";
import { isCrossSiteRequest } from "~/auth/http/same-origin";

const app = "https://app.example.com";

describe("isCrossSiteRequest", () => {
  it.each([
    [{}, false],
    [{ Origin: app }, false],
    [{ Origin: app, "Sec-Fetch-Site": "same-origin" }, false],
    [{ "Sec-Fetch-Site": "none" }, false],
    [{ Origin: "https://evil.example" }, true],
    [{ Origin: "null" }, true],
    // A form on a no-referrer page of the app itself (Chromium).
    [{ Origin: "null", "Sec-Fetch-Site": "same-origin" }, false],
    [{ Origin: "null", "Sec-Fetch-Site": "cross-site" }, true],
    [{ Origin: "null", "Sec-Fetch-Site": "same-site" }, true],
    [{ Origin: "null", "Sec-Fetch-Site": "none" }, true],
    [{ Origin: "http://app.example.com" }, true],
    [{ Origin: "https://app.example.com:8443" }, true],
    [{ Origin: "https://sub.app.example.com" }, true],
    [{ "Sec-Fetch-Site": "cross-site" }, true],
    [{ "Sec-Fetch-Site": "same-site" }, true],
    [{ Origin: app, "Sec-Fetch-Site": "cross-site" }, true],
  ])("%o -> cross-site: %s", (headers, crossSite) => {
    expect(isCrossSiteRequest(new Headers(headers), app)).toBe(crossSite);
  });
});
