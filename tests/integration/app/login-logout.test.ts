import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp } from "../../support/app";
import { browse, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { continueIdpLogout, encryptedSession, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;

beforeAll(async () => {
  stack = await startStack();
  app = stack.app.url;
});
afterAll(() => stack?.stop());

/** Starts a login at the app and stops at the IdP's login form. */
async function startLogin(jar: CookieJar, path = "/auth/demo/login") {
  const response = await browse(jar, `${app}${path}`);
  expect(response.status).toBe(302);
  const authorizeUrl = new URL(response.headers.get("location")!);
  const page = await follow(jar, response, app, stack.idp.url);
  return { response, authorizeUrl, page };
}

/** Signs in at the IdP's form and stops at the app's callback URL, not yet visited. */
async function signInAtIdp(jar: CookieJar, page: { url: string; html?: string }, username = "demo") {
  expect(textOf(page.html!)).toContain("Sign in to your account");
  const { action } = formOf(page.html!, page.url);
  const done = await follow(
    jar,
    await browse(jar, action, { form: { username, password: username } }),
    action,
    stack.idp.url,
  );
  expect(done.url.startsWith(`${app}/auth/demo/callback?`)).toBe(true);
  return done.url;
}

async function logIn(jar: CookieJar) {
  const { page } = await startLogin(jar);
  const callback = await browse(jar, await signInAtIdp(jar, page));
  expect(callback.status).toBe(302);
  return callback;
}

const sessionOf = (jar: CookieJar) => sessionIn(jar, app);

describe("login and logout over HTTP", () => {
  it("logs in with code + PKCE + nonce, comes back to the page asked for, and logs out at the IdP", async () => {
    const jar = new CookieJar();
    const protectedPage = await browse(jar, `${app}/account`);
    expect(protectedPage.status).toBe(302);
    expect(protectedPage.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    const login = await browse(jar, `${app}/login?returnTo=%2Faccount`);
    expect(login.headers.get("location")).toBe("/auth/demo/login?returnTo=%2Faccount");

    const { response, authorizeUrl, page } = await startLogin(jar, "/auth/demo/login?returnTo=%2Faccount");
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(
      `${stack.idp.issuer("demo")}/protocol/openid-connect/auth`,
    );
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "remix-app",
      redirect_uri: `${app}/auth/demo/callback`,
      scope: "openid profile email",
      code_challenge_method: "S256",
    });
    for (const param of ["state", "nonce", "code_challenge"])
      expect(authorizeUrl.searchParams.get(param)).toMatch(/^[\w-]{20,}$/);
    const stateCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith("oidc:demo="));
    expect(stateCookie).toMatch(/Path=\/auth\/demo\/;/);
    expect(stateCookie).toMatch(/HttpOnly/);
    expect(stateCookie).toMatch(/SameSite=Lax/);

    const callbackUrl = await signInAtIdp(jar, page);
    expect(jar.names(callbackUrl)).toEqual(expect.arrayContaining(["oidc:demo", "oidc-return-to"]));
    const callback = await browse(jar, callbackUrl);
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/account");
    expect(callback.headers.get("cache-control")).toBe("no-store");
    expect(callback.headers.get("referrer-policy")).toBe("no-referrer");
    const sessionCookie = callback.headers.getSetCookie().find((cookie) => cookie.startsWith("__session="));
    expect(sessionCookie).toMatch(/Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax/);
    expect(sessionCookie).not.toMatch(/Secure/);
    // The state/PKCE and returnTo cookies are gone once the callback completed.
    expect(jar.names(callbackUrl).filter((name) => name.startsWith("oidc"))).toEqual([]);

    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    // The realm's label is "demo" too: the header does not repeat it.
    expect(textOf(await account.text())).toMatch(/Signed in as demo Account/);

    const { idToken } = (await sessionOf(jar))!;
    stack.idp.clearRequests();
    // Keycloak realms log out by redirect (the default): the session ends, then the browser goes to the IdP.
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(302);
    expect(logout.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=; Max-Age=0; Path=\/;/));
    expect(jar.names(app)).toEqual([]);
    const endSession = new URL(logout.headers.get("location")!);
    expect(endSession.origin + endSession.pathname).toBe(`${stack.idp.issuer("demo")}/protocol/openid-connect/logout`);
    const state = endSession.searchParams.get("state")!;
    expect(Object.fromEntries(endSession.searchParams)).toEqual({
      id_token_hint: idToken,
      client_id: "remix-app",
      post_logout_redirect_uri: `${app}/logout/callback`,
      state: expect.stringMatching(/^[\w-]{32}$/),
    });

    const idpPage = await follow(jar, logout, app, stack.idp.url);
    const back = await continueIdpLogout(jar, idpPage, stack.idp.url);
    expect(back).toBe(`${app}/logout/callback?state=${state}`);
    const loggedOut = await browse(jar, back);
    expect(loggedOut.status).toBe(200);
    expect(textOf(await loggedOut.text())).toContain(
      "Your session in this app and at your identity provider has ended.",
    );
    // The module's cookies by name, never Clear-Site-Data, which would take the host app's and its neighbours' too.
    expect(loggedOut.headers.get("clear-site-data")).toBeNull();
    // A page this small is not worth remix-serve's compressor at the end of a logout.
    expect(loggedOut.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(loggedOut.headers.get("content-encoding")).toBeNull();
    expect(loggedOut.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=; Max-Age=0; Path=\/;/));
    expect(loggedOut.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^oidc-logout-state=; Max-Age=0;/));
    const received = stack.idp.requests.filter((r) => r.path.endsWith("/protocol/openid-connect/logout"));
    expect(received[0]).toMatchObject({ method: "GET", query: { id_token_hint: idToken, state } });

    // The IdP session ended: a new login asks for the password again.
    const again = await startLogin(jar);
    expect(textOf(again.page.html!)).toContain("Sign in to your account");

    const logs = stack.app.output();
    // Who signed in, not only where (issue 28.8).
    expect(logs).toMatch(/"event":"login","realm":"demo","outcome":"success","username":"demo","sub":"[^"]+"/);
    expect(logs).toContain('"event":"logout"');
    expect(logs).not.toContain(idToken);
    // The app's own lines never carry the code; remix-serve's access log prints the callback URL whole,
    // after the code was redeemed (single-use, PKCE-bound: docs/SECURITY.md), and nothing else holds it.
    const code = new URL(callbackUrl).searchParams.get("code")!;
    expect(logs.split("\n").filter((line) => line.includes(code))).toEqual([
      expect.stringMatching(/^GET \/auth\/demo\/callback\?\S+ 302 /),
    ]);
  });

  it("shows the IdP's refusal as a 400 page with a way to try again, escaping what the IdP sent", async () => {
    const jar = new CookieJar();
    const { authorizeUrl } = await startLogin(jar);
    const state = authorizeUrl.searchParams.get("state")!;
    const description = "<script>alert(1)</script>";
    const response = await browse(
      jar,
      `${app}/auth/demo/callback?${new URLSearchParams({ error: "access_denied", error_description: description, state, iss: stack.idp.issuer("demo") })}`,
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(textOf(html)).toContain("You cancelled the sign-in");
    expect(html).toContain('href="/auth/demo/login"');
    expect(html).not.toContain(description);
    expect(jar.names(`${app}/auth/demo/callback`)).toEqual([]);
    expect(jar.names(app)).not.toContain("__session");
  });

  it.each([
    ["a state this browser never sent", (state: string) => `code=abc&state=${state}x`],
    ["no state", () => "code=abc"],
    ["no code", (state: string) => `state=${state}`],
  ])("refuses a callback with %s: 400, no session", async (_label, query) => {
    const jar = new CookieJar();
    const { authorizeUrl } = await startLogin(jar);
    const response = await browse(jar, `${app}/auth/demo/callback?${query(authorizeUrl.searchParams.get("state")!)}`);
    expect(response.status).toBe(400);
    expect(textOf(await response.text())).toMatch(
      /This sign-in attempt has expired|Sign-in could not be (completed|verified)/,
    );
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("__session="))).toBe(false);
  });

  it("brings each of two tabs logging in at once back to the page it asked for", async () => {
    const jar = new CookieJar();
    const tabA = await startLogin(jar, "/auth/demo/login?returnTo=%2Faccount");
    const tabB = await startLogin(jar, "/auth/demo/login?returnTo=%2F");
    const callbackB = await signInAtIdp(jar, tabB.page);
    const callbackA = await signInAtIdp(jar, tabA.page);
    expect((await browse(jar, callbackB)).headers.get("location")).toBe("/");
    expect((await browse(jar, callbackA)).headers.get("location")).toBe("/account");
  });

  it("keeps at most 3 logins in progress, so a flood of login links cannot make the next callback fail (431)", async () => {
    const jar = new CookieJar();
    for (let i = 0; i < 150; i++)
      expect((await browse(jar, `${app}/auth/demo/login?returnTo=%2Faccount`)).status).toBe(302);
    const callbackPath = `${app}/auth/demo/callback`;
    expect(jar.names(callbackPath).sort()).toEqual(["oidc-return-to", "oidc:demo"]);
    expect(jar.header(callbackPath).length).toBeLessThan(1024);
    const { page } = await startLogin(jar, "/auth/demo/login?returnTo=%2Faccount");
    const callback = await browse(jar, await signInAtIdp(jar, page));
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/account");
  });

  it("refuses a replayed callback URL in another browser", async () => {
    const jar = new CookieJar();
    const { page } = await startLogin(jar);
    const callbackUrl = await signInAtIdp(jar, page);
    expect((await browse(jar, callbackUrl)).status).toBe(302);
    const attacker = new CookieJar();
    const replay = await browse(attacker, callbackUrl);
    expect(replay.status).toBe(400);
    expect(attacker.names(app)).toEqual([]);
  });

  it.each(["/auth/nope/login", "/auth/nope/callback?code=a&state=b", "/auth/..%2Fdemo/login"])(
    "answers 404 for the unknown provider in %s without calling the IdP",
    async (path) => {
      stack.idp.clearRequests();
      const response = await fetch(`${app}${path}`, { redirect: "manual" });
      expect(response.status).toBe(404);
      expect(textOf(await response.text())).toContain("Unknown sign-in provider");
      // Its page's Log in button may have demo's reachability asked ahead (decision 011); nothing else.
      const probeAhead = "/realms/demo/.well-known/openid-configuration";
      expect(stack.idp.requests.filter((r) => r.path !== probeAhead)).toEqual([]);
    },
  );

  it("keeps the session on GET /logout, which sends the browser home, to the Log out button", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const page = await browse(jar, `${app}/logout`);
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/");
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(await (await browse(jar, `${app}/`)).text()).toMatch(/<form method="post" action="\/logout"/);
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });

  it("sends a logout without a session straight home", async () => {
    const response = await browse(new CookieJar(), `${app}/logout`, { form: {} });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
  });

  it("replaces a session planted in the browser (session fixation) with the user's own at login", async () => {
    const attacker = new CookieJar();
    const { page } = await startLogin(attacker);
    const { action } = formOf(page.html!, page.url);
    const done = await follow(
      attacker,
      await browse(attacker, action, { form: { username: "big", password: "big" } }),
      action,
      stack.idp.url,
    );
    await browse(attacker, done.url);
    const planted = attacker.header(app);

    const victim = new CookieJar();
    victim.store(
      app,
      new Response(null, {
        headers: planted.split("; ").map((pair) => ["set-cookie", `${pair}; Path=/`]) as [string, string][],
      }),
    );
    await logIn(victim);
    expect(victim.header(app)).not.toBe(planted);
    expect(textOf(await (await browse(victim, `${app}/account`)).text())).toMatch(/Signed in as demo/);
  });

  it("treats a session cookie encrypted with another secret as no session", async () => {
    const forged = await encryptedSession(
      { user: { realm: "demo", sub: "x", username: "mallory" }, idToken: "a.b.c", createdAt: Date.now() / 1000 },
      "not-the-secret",
    );
    const response = await fetch(`${app}/account`, { headers: { cookie: `__session=${forged}` }, redirect: "manual" });
    expect(response.status).toBe(302);
  });
});

describe("when the IdP is unreachable", () => {
  let down: Awaited<ReturnType<typeof startApp>>;
  beforeAll(async () => {
    down = await startApp({
      port: await freePort(),
      env: { KEYCLOAK_URL: `http://127.0.0.1:${await freePort()}`, KEYCLOAK_REALM: "demo", IDP_TIMEOUT_MS: "1000" },
    });
  });
  afterAll(() => down?.stop());

  it("answers login with a 503 page and a retry link", async () => {
    const response = await fetch(`${down.url}/auth/demo/login`, { redirect: "manual" });
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(textOf(html)).toContain("The identity provider is unreachable");
    expect(html).toContain('href="/auth/demo/login"');
    expect(html).not.toMatch(/ECONNREFUSED|at .*\.js:\d+/);
  });

  it("still ends the app session at logout and says the IdP could not be told", async () => {
    const session = await encryptedSession({
      user: { realm: "demo", sub: "u1", username: "demo" },
      idToken: "a.b.c",
      createdAt: Math.floor(Date.now() / 1000),
    });
    const jar = new CookieJar();
    jar.store(down.url, new Response(null, { headers: { "set-cookie": `__session=${session}; Path=/` } }));
    expect(textOf(await (await browse(jar, `${down.url}/`)).text())).toContain("Signed in as demo");

    const logout = await browse(jar, `${down.url}/logout`, { form: {} });
    expect(logout.status).toBe(303);
    expect(jar.names(down.url)).toEqual([]);
    const page = await browse(jar, new URL(logout.headers.get("location")!, down.url).href);
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(textOf(html)).toContain("Your session in this app has ended; your session at demo may still be open");
    expect(textOf(html)).not.toContain("Signed in as");
    // "Retry" does not bounce to a dead URL: discovery still fails, so the same page comes back.
    expect(html).toContain('action="/auth/demo/logout"');
    const retry = await browse(jar, `${down.url}/auth/demo/logout`, { form: {}, headers: { Origin: down.url } });
    expect(retry.headers.get("location")).toBe("/logout/incomplete?reason=idp_unreachable&realm=demo");
  });
});
