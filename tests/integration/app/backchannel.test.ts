import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CLIENT } from "../../support/app";
import { browse, button, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack();
  app = stack.app.url;
});
afterAll(() => stack?.stop());

const endpoint = () => `${app}/auth/demo/backchannel-logout`;

async function logIn(jar = new CookieJar()) {
  expect((await logInOverHttp(jar, { app, idp: stack.idp.url })).status).toBe(302);
  const { sid, sub } = decodeJwt((await sessionIn(jar, app))!.idToken) as { sid: string; sub: string };
  return { jar, sid, sub };
}

const signedIn = async (jar: CookieJar) => (await browse(jar, `${app}/account`)).status === 200;

function post(token: string, init: { contentType?: string; url?: string } = {}) {
  return fetch(init.url ?? endpoint(), {
    method: "POST",
    headers: { "Content-Type": init.contentType ?? "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ logout_token: token }),
  });
}

describe("back-channel logout", () => {
  it("ends the app session when the user logs out at the IdP directly", async () => {
    const { jar } = await logIn();
    expect(await signedIn(jar)).toBe(true);
    const deliveries = stack.idp.backchannelDeliveries.length;

    // At the IdP, without id_token_hint: Keycloak asks, the user confirms.
    const logoutUrl = `${stack.idp.issuer("demo")}/protocol/openid-connect/logout`;
    const confirm = await follow(jar, await browse(jar, logoutUrl), logoutUrl, stack.idp.url);
    expect(textOf(confirm.html!)).toContain("Do you want to log out?");
    const form = formOf(confirm.html!, confirm.url);
    await follow(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...button(confirm.html!, "Logout") } }),
      form.action,
      stack.idp.url,
    );

    await expect.poll(() => stack.idp.backchannelDeliveries.length).toBeGreaterThan(deliveries);
    expect(stack.idp.backchannelDeliveries.at(-1)).toMatchObject({ uri: endpoint(), status: 200 });

    const next = await browse(jar, `${app}/account`);
    expect(next.status).toBe(302);
    expect(next.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    expect(next.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=; .*Max-Age=0/));
    expect(jar.names(app)).not.toContain("__session");
  });

  it("answers 200 with no-store, and 400 for the same token again", async () => {
    const { jar, sid, sub } = await logIn();
    const token = stack.idp.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sid, sub });
    const first = await post(token);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(await signedIn(jar)).toBe(false);

    const replay = await post(token);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("cache-control")).toBe("no-store");
    expect(await replay.json()).toMatchObject({ error: "invalid_request" });
  });

  it("with only a sub, ends that user's earlier sessions but not later logins", async () => {
    const first = await logIn();
    const token = stack.idp.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sub: first.sub, sid: undefined });
    // No waiting between the three: sessions and revocations are ordered finer than a second.
    expect((await post(token)).status).toBe(200);
    expect(await signedIn(first.jar)).toBe(false);
    const later = await logIn(new CookieJar());
    expect(await signedIn(later.jar)).toBe(true);
  });

  it.each([
    ["another audience", { aud: "someone-else" }],
    ["another issuer", { iss: "https://evil.example/realms/demo" }],
    ["no events claim", { events: undefined }],
    ["a nonce", { nonce: "n" }],
    ["neither sid nor sub", { sid: undefined, sub: undefined }],
    ["an old iat", { iat: Math.floor(Date.now() / 1000) - 3600, exp: undefined }],
  ])("refuses a token with %s: 400, session untouched", async (_label, overrides) => {
    const { jar, sid, sub } = await logIn();
    const token = stack.idp.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sid, sub, ...overrides });
    const response = await post(token);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "invalid_request", error_description: "invalid logout token" });
    expect(await signedIn(jar)).toBe(true);
  });

  it("refuses a malformed logout token", async () => {
    const response = await post("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln");
    expect(response.status).toBe(400);
  });

  it.each([
    [
      "no logout_token",
      () =>
        fetch(endpoint(), {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "x=1",
        }),
      400,
    ],
    ["JSON instead of a form", () => post("x", { contentType: "application/json" }), 400],
    ["a body over 64 KB", () => post("x".repeat(70_000)), 413],
    ["an unknown realm", () => post("x", { url: `${app}/auth/nope/backchannel-logout` }), 404],
    ["GET", () => fetch(endpoint()), 405],
  ])("answers %s with %i", async (_label, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
  });
});
