import { describe, expect, it } from "vitest";
import {
  accountActionStatus,
  outcomeSetCookie,
  pendingAction,
  readAccountActionOutcome,
  readPendingAction,
} from "~/auth/keycloak/account-actions";

const callback = (query: string) => new URL(`http://app.test/auth/demo/callback?state=s&code=c&${query}`);

describe("accountActionStatus", () => {
  it.each([
    ["kc_action=UPDATE_PASSWORD&kc_action_status=success", "success"],
    ["kc_action=UPDATE_PASSWORD&kc_action_status=cancelled", "cancelled"],
    ["kc_action=UPDATE_PASSWORD&kc_action_status=error", "error"],
    ["kc_action=UPDATE_PASSWORD&kc_action_status=<b>hi</b>", "error"],
    ["kc_action=UPDATE_PASSWORD", "unknown"],
    ["kc_action=DELETE_ACCOUNT&kc_action_status=success", "unknown"],
    ["", "unknown"],
  ])("reads %j as %s", (query, status) => {
    expect(accountActionStatus(callback(query), "update-password")).toBe(status);
  });
});

describe("the outcome cookie", () => {
  const request = (cookie: string) => new Request("http://app.test/account", { headers: { cookie } });
  const valueOf = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(";"));

  it("carries a known outcome to the page in fixed words, once", () => {
    const set = outcomeSetCookie(false, "update-password", "cancelled");
    expect(set).toMatch(/HttpOnly/i);
    const { outcome, headers } = readAccountActionOutcome(request(valueOf(set)), false);
    expect(outcome).toEqual({
      action: "update-password",
      status: "cancelled",
      message: "You cancelled: your password has not been changed.",
    });
    expect(headers.get("Set-Cookie")).toMatch(/^oidc-account-action=; Max-Age=0/);
  });

  it.each(["update-password.<b>pwned</b>", "update-password.toString", "constructor.success", "update-password", ""])(
    "shows nothing for the forged value %j, and forgets it",
    (value) => {
      const { outcome, headers } = readAccountActionOutcome(request(`oidc-account-action=${value}`), false);
      expect(outcome).toBeNull();
      expect(headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    },
  );

  it("is __Host- over https, and the unprefixed name is then not read", () => {
    const set = outcomeSetCookie(true, "update-password", "success");
    expect(set).toMatch(/^__Host-oidc-account-action=update-password\.success;/);
    expect(set).toMatch(/; Path=\/(;|$)/);
    expect(set).toMatch(/; Secure/);
    expect(readAccountActionOutcome(request("oidc-account-action=update-password.success"), true).outcome).toBeNull();
  });
});

describe("the pending login's entry", () => {
  it.each([
    [pendingAction("update-password", "/account"), { action: "update-password", returnTo: "/account" }],
    ["/account?x=1", { action: null, returnTo: "/account?x=1" }],
    ["update-password", { action: null, returnTo: "update-password" }],
    ["toString /x", { action: null, returnTo: "toString /x" }],
    [null, { action: null, returnTo: null }],
  ])("reads %j", (value, expected) => {
    expect(readPendingAction(value)).toEqual(expected);
  });
});
