import { describe, expect, it } from "vitest";
import * as logoutState from "~/auth/flows/logout-state.server";
import { sessionContext } from "../../support/auth-context";

const ctx = sessionContext({ APP_URL: "https://app.example.com" });
const createLogoutState = () => logoutState.createLogoutState(ctx);
const verifyLogoutState = (request: Request) => logoutState.verifyLogoutState(ctx, request);

/** The callback request a browser holding `cookie` makes when the provider returns `state`. */
function callback(state: string | null, cookie?: string) {
  const url = new URL("https://app.example.com/logout/callback");
  if (state !== null) url.searchParams.set("state", state);
  return new Request(url, { headers: cookie ? { cookie: cookie.split(";")[0]! } : {} });
}

describe("logout state", () => {
  it("is a random value in a Secure, httpOnly __Host- cookie (APP_URL is https)", () => {
    const first = createLogoutState();
    const second = createLogoutState();
    expect(first.state).not.toBe(second.state);
    expect(first.state).toMatch(/^[\w-]{32}$/);
    expect(first.cookie).toMatch(
      /^__Host-oidc-logout-state=v1\.[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("is accepted once, from the browser holding its cookie", async () => {
    const { state, cookie } = createLogoutState();
    const first = await verifyLogoutState(callback(state, cookie));
    expect(first.result).toBe("valid");
    expect(first.clearCookie).toMatch(/^__Host-oidc-logout-state=; Max-Age=0; Path=\/;/);
    expect((await verifyLogoutState(callback(state, cookie))).result).toBe("replayed");
  });

  it("is refused with another browser's cookie, a forged value, or no cookie", async () => {
    const mine = createLogoutState();
    const theirs = createLogoutState();
    expect((await verifyLogoutState(callback(mine.state, theirs.cookie))).result).toBe("mismatch");
    expect((await verifyLogoutState(callback("forged", mine.cookie))).result).toBe("mismatch");
    expect((await verifyLogoutState(callback(mine.state))).result).toBe("missing");
    expect((await verifyLogoutState(callback(null, mine.cookie))).result).toBe("missing");
    const tampered = mine.cookie.replace(/=v1\.(.)/, (_, c: string) => `=v1.${c === "A" ? "B" : "A"}`);
    expect((await verifyLogoutState(callback(mine.state, tampered))).result).toBe("missing");
  });

  it("is read only under the __Host- name: the same cookie without the prefix, which a sibling subdomain could set, is not", async () => {
    const { state, cookie } = createLogoutState();
    expect((await verifyLogoutState(callback(state, cookie.replace(/^__Host-/, "")))).result).toBe("missing");
    expect((await verifyLogoutState(callback(state, cookie))).result).toBe("valid");
  });
});
