// The dev IdP's logouts: RP-initiated (Keycloak 18+ rules), back-channel, and the request log tests read them from.
import { decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { browse, button, CookieJar, formOf, textOf } from "../../support/browserless";
import {
  APP,
  authorize,
  CLIENT_ID,
  downUrl,
  followInIdp,
  hasSession,
  heldResponses,
  idp,
  jwksOf,
  logoutUrl,
  POST_LOGOUT,
  received,
  receiverUrl,
  redirectUri,
  signIn,
  until,
  useDevIdp,
} from "../../support/dev-idp-client";

useDevIdp();

describe("dev IdP: RP-initiated logout (Keycloak 18+ rules)", () => {
  it("rejects the legacy redirect_uri parameter and keeps the session", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: tokens.id_token, redirect_uri: POST_LOGOUT });
    const response = await browse(jar, url);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid parameter: redirect_uri");
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("requires id_token_hint or client_id with post_logout_redirect_uri", async () => {
    const response = await browse(new CookieJar(), logoutUrl("demo", { post_logout_redirect_uri: POST_LOGOUT }));
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Missing parameters: id_token_hint");
  });

  it("rejects an id_token_hint from another realm", async () => {
    const other = await signIn("other", "demo", "demo");
    const { jar } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: other.tokens.id_token, post_logout_redirect_uri: POST_LOGOUT });
    const response = await browse(jar, url);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid parameter: id_token_hint");
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("rejects an unregistered post_logout_redirect_uri", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { id_token_hint: tokens.id_token, post_logout_redirect_uri: `${APP}/evil` });
    const response = await browse(jar, url);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toContain("Invalid redirect uri");
    expect(await hasSession(jar, "demo")).toBe(true);
  });

  it("logs out without a prompt given a valid id_token_hint and returns to the app with state", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    idp.clearRequests();
    const url = logoutUrl("demo", {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT,
      state: "s-123",
    });
    const page = await followInIdp(jar, await browse(jar, url), url);

    // A self-submitting page, with a visible button for browsers without JavaScript.
    expect(page.response.status).toBe(200);
    expect(page.html).not.toContain("Do you want to log out?");
    expect(page.html).toMatch(/<script>[^<]*click\(\)[^<]*<\/script>/);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }),
      form.action,
    );

    expect(done.url).toBe(`${POST_LOGOUT}?state=s-123`);
    expect(await hasSession(jar, "demo")).toBe(false);

    const logoutRequest = idp.requests.find((r) => r.path === "/realms/demo/protocol/openid-connect/logout");
    expect(logoutRequest).toMatchObject({
      method: "GET",
      realm: "demo",
      query: { id_token_hint: tokens.id_token, state: "s-123" },
    });
  });

  it("accepts the same logout as a form POST", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", {});
    const response = await browse(jar, url, {
      form: { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: "p" },
    });
    const page = await followInIdp(jar, response, url);
    expect(page.html).toContain('value="yes">Continue</button>');
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }),
      form.action,
    );
    expect(done.url).toBe(`${POST_LOGOUT}?state=p`);
    expect(await hasSession(jar, "demo")).toBe(false);
    const logoutRequest = idp.requests.find(
      (r) => r.method === "POST" && r.path === "/realms/demo/protocol/openid-connect/logout",
    );
    expect(logoutRequest?.form?.id_token_hint).toBe(tokens.id_token);
  });

  it("accepts an id_token_hint whose session already ended", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT,
      state: "again",
    });
    const fresh = new CookieJar(); // a browser without an IdP session
    const page = await followInIdp(fresh, await browse(fresh, url), url);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(fresh, await browse(fresh, form.action, { form: form.fields }), form.action);
    expect(done.url).toBe(`${POST_LOGOUT}?state=again`);
    expect(await hasSession(jar, "demo")).toBe(true); // the other browser is unaffected
  });

  it("asks for confirmation without id_token_hint, then shows that the user is logged out", async () => {
    const { jar } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", {});
    const page = await followInIdp(jar, await browse(jar, url), url);
    expect(page.response.status).toBe(200);
    expect(textOf(page.html!)).toContain("Do you want to log out?");
    expect(page.html).not.toContain("<script");
    const logout = button(page.html!, "Logout");
    expect(logout).toBeDefined();

    const form = formOf(page.html!, page.url);
    const done = await followInIdp(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...logout } }),
      form.action,
    );
    expect(done.response.status).toBe(200);
    expect(textOf(done.html!)).toContain("You are logged out");
    expect(await hasSession(jar, "demo")).toBe(false);
  });

  it("redirects to a registered post_logout_redirect_uri after confirmation given client_id", async () => {
    const { jar } = await signIn("demo", "demo", "demo");
    const url = logoutUrl("demo", { client_id: CLIENT_ID, post_logout_redirect_uri: POST_LOGOUT, state: "c" });
    const page = await followInIdp(jar, await browse(jar, url), url);
    expect(textOf(page.html!)).toContain("Do you want to log out?");
    expect(await hasSession(jar, "demo")).toBe(true);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Logout") } }),
      form.action,
    );
    expect(done.url).toBe(`${POST_LOGOUT}?state=c`);
    expect(await hasSession(jar, "demo")).toBe(false);
  });
});

describe("dev IdP: back-channel logout", () => {
  const realm = "backchannel";
  const EVENT = "http://schemas.openid.net/event/backchannel-logout";

  it("POSTs a signed logout token to every client of the ending session, without waiting for them", async () => {
    const { jar, tokens, claims } = await signIn(realm, "demo", "demo");
    for (const clientId of ["second-app", "slow-app", "down-app", "plain-app"]) {
      expect((await authorize(jar, realm, { client_id: clientId })).url.startsWith(`${redirectUri(realm)}?`)).toBe(
        true,
      );
    }
    const deliveriesBefore = idp.backchannelDeliveries.length;

    const url = logoutUrl(realm, { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT });
    const page = await followInIdp(jar, await browse(jar, url), url);
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }),
      form.action,
    );
    // The logout has finished although slow-app has not answered and down-app is down.
    expect(done.url).toBe(POST_LOGOUT);
    expect(await hasSession(jar, realm)).toBe(false);

    const deliveries = () => idp.backchannelDeliveries.slice(deliveriesBefore);
    await until(() => deliveries().length === 3 && heldResponses.length === 1);
    expect(deliveries().some((d) => d.clientId === "slow-app")).toBe(false);
    heldResponses.pop()!.writeHead(204).end();
    await until(() => deliveries().length === 4);

    const byClient = Object.fromEntries(deliveries().map((d) => [d.clientId, d]));
    expect(Object.keys(byClient).sort()).toEqual(["down-app", CLIENT_ID, "second-app", "slow-app"].sort());
    expect(byClient[CLIENT_ID]).toMatchObject({
      realm,
      uri: `${receiverUrl}/remix-app`,
      status: 200,
      time: expect.any(Number),
    });
    expect(byClient["second-app"]).toMatchObject({ status: 200 });
    expect(byClient["slow-app"]).toMatchObject({ status: 204 });
    expect(byClient["down-app"]).toMatchObject({ uri: downUrl, status: null });

    const posts = received.filter((r) => r.logoutToken && deliveries().some((d) => d.logoutToken === r.logoutToken));
    expect(posts.map((p) => p.path).sort()).toEqual(["/remix-app", "/second-app", "/slow-app"]);
    for (const post of posts) expect(post.contentType).toMatch(/^application\/x-www-form-urlencoded\b/);

    const post = posts.find((p) => p.path === "/remix-app")!;
    const { payload, protectedHeader } = await jwtVerify(post.logoutToken!, jwksOf(realm), {
      issuer: idp.issuer(realm),
      audience: CLIENT_ID,
    });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "logout+jwt" });
    expect(payload).toEqual({
      iss: idp.issuer(realm),
      aud: CLIENT_ID,
      iat: expect.any(Number),
      exp: payload.iat! + 120,
      jti: expect.any(String),
      sub: claims.sub,
      sid: claims.sid,
      events: { [EVENT]: {} },
    });
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(10);

    for (const clientId of ["second-app", "slow-app"]) {
      const other = await jwtVerify(byClient[clientId]!.logoutToken, jwksOf(realm), {
        issuer: idp.issuer(realm),
        audience: clientId,
      });
      expect(other.payload).toMatchObject({ sub: claims.sub, sid: expect.any(String), events: { [EVENT]: {} } });
      expect(other.payload.jti).not.toBe(payload.jti);
    }
  });

  it("crafts logout tokens signed with the realm key, with claims overridden or left out", async () => {
    const sub = "5c0f6b1e-3f2a-4d7b-9a61-0d3c2e8f4a10";
    const verify = async (token: string, audience = CLIENT_ID) =>
      (await jwtVerify(token, jwksOf(realm), { issuer: idp.issuer(realm), audience })).payload;

    const valid = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "sid-1" }));
    expect(valid).toMatchObject({
      sub,
      sid: "sid-1",
      events: { [EVENT]: {} },
      exp: valid.iat! + 120,
      jti: expect.any(String),
    });
    expect(valid).not.toHaveProperty("nonce");

    const withNonce = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "sid-1", nonce: "x" }));
    expect(withNonce.nonce).toBe("x");
    const withoutEvents = await verify(
      idp.logoutToken(realm, { clientId: CLIENT_ID, sub, sid: "sid-1", events: undefined }),
    );
    expect(withoutEvents).not.toHaveProperty("events");
    const withoutSid = await verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub }));
    expect(withoutSid).not.toHaveProperty("sid");

    const overridden = decodeJwt(
      idp.logoutToken(realm, {
        clientId: CLIENT_ID,
        sub,
        sid: "s",
        iat: 1000,
        exp: 2000,
        iss: "https://elsewhere",
        aud: "someone",
        jti: "j-1",
      }),
    );
    expect(overridden).toMatchObject({ iat: 1000, exp: 2000, iss: "https://elsewhere", aud: "someone", jti: "j-1" });
    await expect(verify(idp.logoutToken(realm, { clientId: CLIENT_ID, sub, exp: 1000 }))).rejects.toThrow(/exp/);
    expect(() => idp.logoutToken("nope", { clientId: CLIENT_ID, sub })).toThrow(/Unknown realm/);
  });
});

describe("dev IdP: request log", () => {
  it("keeps the id_token of a POST logout out of the logged path and query", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    idp.clearRequests();
    const url = logoutUrl("demo", {});
    const page = await followInIdp(
      jar,
      await browse(jar, url, { form: { id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT } }),
      url,
    );
    const form = formOf(page.html!, page.url);
    const done = await followInIdp(
      jar,
      await browse(jar, form.action, { form: { ...form.fields, ...button(page.html!, "Continue") } }),
      form.action,
    );
    expect(done.url).toBe(POST_LOGOUT);

    expect(idp.requests.length).toBeGreaterThanOrEqual(2); // the logout and its confirmation
    for (const request of idp.requests) {
      expect(request.path).not.toContain(tokens.id_token);
      expect(JSON.stringify(request.query)).not.toContain(tokens.id_token);
    }
    const logout = idp.requests.find((r) => r.path === "/realms/demo/protocol/openid-connect/logout");
    expect(logout).toMatchObject({ method: "POST", query: {}, form: { id_token_hint: tokens.id_token } });
  });
});
