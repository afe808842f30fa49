// The user big (60 groups through the realm file's group-membership mapper): a
// 7 KB ID token, against real Keycloak, in both logout methods. What Keycloak
// answers to a long end-session GET is measured here (docs/KEYCLOAK-COMPAT.md).
import { decodeJwt } from "jose";
import { DEFAULT_USERS } from "../../../dev/idp/users.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

/** Keycloak's quarkus.http.limits.max-initial-line-length (its own default since 26, "reverse-engineered from Wildfly"). */
const MAX_REQUEST_LINE = 32_779;

describe.each(["post", "redirect"] as const)("the user big against Keycloak, KEYCLOAK_LOGOUT_METHOD=%s", (method) => {
  let stack: KeycloakStack;
  beforeAll(async () => {
    stack = await startKeycloakStack({ env: { KEYCLOAK_LOGOUT_METHOD: method } });
  });
  afterAll(() => stack?.stop());

  it("logs in with a 7 KB ID token holding the 60 groups, and logs out at Keycloak", async () => {
    const app = stack.app.url;
    const keycloak = stack.idp.url;
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak, username: "big" });
    const { idToken } = (await sessionIn(jar, app))!;
    const groups = decodeJwt(idToken).groups as string[];
    // The same full group paths as the dev IdP's big (in another order).
    expect([...groups].sort()).toEqual([...DEFAULT_USERS.find((user) => user.username === "big")!.groups!].sort());
    expect(idToken.length).toBeGreaterThan(6000);
    expect(textOf(await (await browse(jar, `${app}/account`)).text())).toContain("Signed in as big");

    const logout = await browse(jar, `${app}/logout`, { form: {} });
    const { request, first, stop } = await sendEndSession(jar, logout, app, keycloak);
    if (method === "redirect") {
      const requestLine = `GET ${new URL(request.url).pathname}${new URL(request.url).search} HTTP/1.1`;
      // Accepted: Keycloak 26's request-line limit is far above a 7 KB token.
      expect(requestLine.length).toBeGreaterThan(7000);
      expect(requestLine.length).toBeLessThan(MAX_REQUEST_LINE);
    }
    expect(first.status).toBe(302);
    expect(stop.url).toBe(`${app}/logout/callback?state=${request.params.state}`);
    const loggedOut = await follow(jar, await browse(jar, stop.url), stop.url, app);
    expect(textOf(loggedOut.html!)).toContain("You are logged out");
    const sessions = await stack.admin.sessions("demo", "big");
    expect(sessions.map((session) => session.id)).not.toContain(decodeJwt(idToken).sid);
  });
});

describe("Keycloak's limit on an end-session GET", () => {
  it(`takes a request line of ${MAX_REQUEST_LINE} bytes and answers 414 Request-URI Too Long to one byte more`, async () => {
    const endpoint = `${process.env.KEYCLOAK_TEST_URL}/realms/demo/protocol/openid-connect/logout`;
    const withLine = (length: number) => {
      const prefix = `${new URL(endpoint).pathname}?ui_locales=`;
      return `${endpoint}?ui_locales=${"a".repeat(length - "GET  HTTP/1.1".length - prefix.length)}`;
    };
    const status = async (url: string) => {
      const response = await fetch(url, { redirect: "manual" });
      await response.arrayBuffer();
      return { status: response.status, statusText: response.statusText };
    };
    // Without a hint: the confirmation page (200), so the request got through.
    expect(await status(withLine(MAX_REQUEST_LINE))).toMatchObject({ status: 200 });
    expect(await status(withLine(MAX_REQUEST_LINE + 1))).toEqual({ status: 414, statusText: "Request-URI Too Long" });
  });
});
