import { describe, expect, it } from "vitest";
import {
  buildEndSessionForm,
  buildEndSessionUrl,
  chooseLogoutMethod,
  fitsInRedirect,
  MAX_REDIRECT_REQUEST_LINE_BYTES,
} from "~/auth/protocol/end-session.server";

const endpoint = "https://sso.example.com/realms/demo/protocol/openid-connect/logout";
const base = { endSessionEndpoint: endpoint, postLogoutRedirectUri: "https://app.example.com/", clientId: "remix-app" };

describe("buildEndSessionUrl", () => {
  it("sends id_token_hint, client_id and post_logout_redirect_uri when a session exists", () => {
    const url = buildEndSessionUrl({ ...base, idTokenHint: "header.payload.signature" });
    expect(url.origin + url.pathname).toBe(endpoint);
    expect([...url.searchParams]).toEqual([
      ["id_token_hint", "header.payload.signature"],
      ["client_id", "remix-app"],
      ["post_logout_redirect_uri", "https://app.example.com/"],
    ]);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["empty", ""],
  ])("omits id_token_hint when it is %s, and still sends client_id", (_label, idTokenHint) => {
    const url = buildEndSessionUrl({ ...base, idTokenHint });
    expect(url.searchParams.has("id_token_hint")).toBe(false);
    expect(url.searchParams.get("client_id")).toBe("remix-app");
    expect(url.searchParams.get("post_logout_redirect_uri")).toBe("https://app.example.com/");
  });

  it.each([
    [{}, []],
    [{ state: "s1" }, ["state"]],
    [{ uiLocales: "de en" }, ["ui_locales"]],
    [{ state: "s1", uiLocales: "de" }, ["state", "ui_locales"]],
  ])("adds only the optional parameters given (%o)", (extra, names) => {
    const url = buildEndSessionUrl({ ...base, idTokenHint: "t", ...extra });
    const optional = [...url.searchParams.keys()].filter((name) => name === "state" || name === "ui_locales");
    expect(optional).toEqual(names);
  });

  it("never emits the legacy redirect_uri, even when the endpoint carries one", () => {
    for (const idTokenHint of ["t", undefined]) {
      const url = buildEndSessionUrl({ ...base, endSessionEndpoint: `${endpoint}?redirect_uri=x`, idTokenHint });
      expect(url.searchParams.has("redirect_uri")).toBe(false);
      expect(url.search).not.toMatch(/[?&]redirect_uri=/);
    }
  });

  it("keeps query parameters the provider put in its endpoint", () => {
    const url = buildEndSessionUrl({ ...base, endSessionEndpoint: "https://login.example.com/logout?p=b2c_policy" });
    expect(url.searchParams.get("p")).toBe("b2c_policy");
  });

  it("encodes values so they cannot add parameters", () => {
    const url = buildEndSessionUrl({
      ...base,
      postLogoutRedirectUri: "https://app.example.com/?a=1&b=2#x",
      state: "a&redirect_uri=https://evil.example",
      uiLocales: "de en",
    });
    expect(url.search).toContain("post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2F%3Fa%3D1%26b%3D2%23x");
    expect(url.searchParams.get("state")).toBe("a&redirect_uri=https://evil.example");
    expect(url.searchParams.has("redirect_uri")).toBe(false);
    expect(url.searchParams.get("ui_locales")).toBe("de en");
  });

  it.each(["javascript:alert(1)", "data:text/html,x", "not a url"])("refuses the endpoint %s", (endSessionEndpoint) => {
    expect(() => buildEndSessionUrl({ ...base, endSessionEndpoint })).toThrow(TypeError);
  });
});

describe("buildEndSessionForm", () => {
  it.each([
    [{ idTokenHint: "h.p.s" }],
    [{ idTokenHint: null }],
    [{ idTokenHint: "h.p.s", state: "st", uiLocales: "de" }],
    [{ idTokenHint: "h.p.s", endSessionEndpoint: `${endpoint}?p=policy&redirect_uri=x` }],
  ])("posts exactly what the redirect would send (%o)", (extra) => {
    const request = { ...base, ...extra };
    const url = buildEndSessionUrl(request);
    const form = buildEndSessionForm(request);
    const posted = new URL(form.action);
    for (const [name, value] of form.fields) posted.searchParams.append(name, value);
    expect([...posted.searchParams].sort()).toEqual([...url.searchParams].sort());
    expect(posted.origin + posted.pathname).toBe(url.origin + url.pathname);
  });

  it("keeps the id_token out of the form's URL", () => {
    const form = buildEndSessionForm({ ...base, idTokenHint: "h.p.s", state: "st" });
    expect(form.action).toBe(endpoint);
    expect(form.fields).toEqual([
      ["id_token_hint", "h.p.s"],
      ["client_id", "remix-app"],
      ["post_logout_redirect_uri", "https://app.example.com/"],
      ["state", "st"],
    ]);
  });
});

describe("chooseLogoutMethod", () => {
  /** An end-session URL whose request line (`GET <path>?<query> HTTP/1.1`) is exactly `bytes` long. */
  const urlOfRequestLine = (bytes: number) => {
    const url = buildEndSessionUrl({ ...base, idTokenHint: "" });
    const overhead = `GET ${url.pathname}${url.search}&id_token_hint= HTTP/1.1`.length;
    url.searchParams.set("id_token_hint", "x".repeat(bytes - overhead));
    return url;
  };

  it.each([
    ["redirect", 200, "redirect"],
    ["redirect", MAX_REDIRECT_REQUEST_LINE_BYTES, "redirect"],
    ["redirect", MAX_REDIRECT_REQUEST_LINE_BYTES + 1, "post"],
    ["redirect", 9000, "post"],
    ["post", 200, "post"],
    ["post", 9000, "post"],
  ] as const)("configured %s, request line of %i bytes: %s", (configured, bytes, expected) => {
    const url = urlOfRequestLine(bytes);
    expect(fitsInRedirect(url)).toBe(bytes <= MAX_REDIRECT_REQUEST_LINE_BYTES);
    expect(chooseLogoutMethod(configured, url)).toBe(expected);
  });
});
