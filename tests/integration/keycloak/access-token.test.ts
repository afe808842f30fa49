// Calling APIs as the user against real Keycloak: the access token renewed with
// Keycloak's rotating refresh token (once, however many requests ask), the app
// session ended when Keycloak refuses the renewal, and roles read from
// Keycloak's own access token. A realm of its own, made from
// keycloak/realm-export.json: access tokens that live 10 s, Keycloak's login
// events on (so Keycloak itself says how often the app renewed), and a user
// without the admin role. Roles granted in another realm: the imported realms
// demo (the default) and acme, with a realm role admin made in acme for the
// test and deleted after it.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, decodeEntities, follow, textOf } from "../../support/browserless";
import { KeycloakAdmin, keycloakUrl, startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession, signInAtKeycloak } from "../../support/keycloak-login";
import {
  ACCESS_TOKEN_LIFESPAN,
  createTokensRealm,
  READER,
  TOKENS_CLIENT,
  withoutBackchannelLogout,
} from "../../support/keycloak-tokens-realm";
import { sessionIn } from "../../support/login";
import { startRedis } from "../../support/redis";

const REALM = "tokens";
const { clientId, clientSecret } = TOKENS_CLIENT;

let stack: KeycloakStack;
let admin: KeycloakAdmin;
let app: string;
let keycloak: string;
beforeAll(async () => {
  admin = new KeycloakAdmin(keycloakUrl());
  await createTokensRealm(admin, REALM);
  stack = await startKeycloakStack({ realms: [REALM] });
  app = stack.app.url;
  keycloak = stack.idp.url;
  await withoutBackchannelLogout(admin, REALM);
});
afterAll(() => stack?.stop());

const logIn = async (username = "demo") => {
  const jar = new CookieJar();
  await logInAtKeycloak(jar, { app, keycloak, realm: REALM, username });
  const session = (await sessionIn(jar, app))!;
  return { jar, tokens: session.tokens!, sid: decodeJwt(session.idToken).sid as string };
};

/** What Keycloak recorded for one SSO session (`GET /admin/realms/{realm}/events`). */
async function eventsOf(sid: string, type: "REFRESH_TOKEN" | "REFRESH_TOKEN_ERROR", realm = REALM) {
  const events = await admin.get<{ type: string; sessionId?: string; error?: string }[]>(
    `/${realm}/events?type=${type}&client=${clientId}&max=1000`,
  );
  return events.filter((event) => event.sessionId === sid);
}

/** The facts /account shows from Keycloak's userinfo API, called with the access token. */
function userinfoFacts(html: string): string {
  const facts = /<dl[^>]*data-testid="api-facts"[^>]*>([\s\S]*?)<\/dl>/.exec(html);
  expect(facts, textOf(html).slice(0, 800)).not.toBeNull();
  return textOf(facts![1]!);
}

/** Keycloak's events are read through its admin API: generous on a loaded machine. */
const RECORDED = { timeout: 15_000, interval: 200 };

const userinfoEndpoint = `${keycloakUrl()}/realms/${REALM}/protocol/openid-connect/userinfo`;

describe("the access token, renewed at Keycloak", () => {
  it("after it expired, /account still calls userinfo: one refresh at Keycloak for four parallel requests, the rotated refresh token replacing the old one (reused, Keycloak drops the app's session)", async () => {
    const { jar, tokens, sid } = await logIn();
    // Logging in renews nothing.
    expect(await eventsOf(sid, "REFRESH_TOKEN")).toEqual([]);

    // Until Keycloak itself refuses the token from the login.
    await expect
      .poll(
        async () =>
          (await fetch(userinfoEndpoint, { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status,
        { timeout: (ACCESS_TOKEN_LIFESPAN + 20) * 1000, interval: 500 },
      )
      .toBe(401);

    // Four requests of one browser at once, each with the same session cookie.
    const pages = await Promise.all(Array.from({ length: 4 }, () => browse(jar, `${app}/account`)));
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(userinfoFacts(await page.text())).toContain("demo@example.com");
    }
    await expect.poll(async () => (await eventsOf(sid, "REFRESH_TOKEN")).length, RECORDED).toBe(1);
    expect(await eventsOf(sid, "REFRESH_TOKEN_ERROR")).toEqual([]);

    // The session holds what Keycloak answered: a new access token, and the rotated refresh token.
    const renewed = (await sessionIn(jar, app))!.tokens!;
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    expect(renewed.refreshToken).not.toBe(tokens.refreshToken);
    expect(renewed.expiresAt!).toBeGreaterThan(tokens.expiresAt!);

    // The next call renews with the new refresh token, which Keycloak accepts.
    const next = await browse(jar, `${app}/account`);
    expect(userinfoFacts(await next.text())).toContain("demo@example.com");
    await expect.poll(async () => (await eventsOf(sid, "REFRESH_TOKEN")).length, RECORDED).toBe(2);
    expect(await eventsOf(sid, "REFRESH_TOKEN_ERROR")).toEqual([]);

    // Rotation is on: the login's refresh token, used once, is refused. Had the app sent it twice, Keycloak
    // would also have dropped the app from the SSO session: its newest refresh token dies with it.
    const clientsOfSession = async () =>
      Object.values((await admin.sessions(REALM, "demo")).find((session) => session.id === sid)!.clients);
    expect(await clientsOfSession()).toContain(clientId);
    const reuse = await fetch(`${keycloakUrl()}/realms/${REALM}/protocol/openid-connect/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: tokens.refreshToken!,
        client_id: clientId,
        client_secret: clientSecret,
      }),
    });
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as { error: string }).error).toBe("invalid_grant");
    expect(await clientsOfSession()).not.toContain(clientId);
    const after = await browse(jar, `${app}/account`);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toBe(`/login?${new URLSearchParams({ returnTo: "/account" })}`);
  });
});

describe("a session ended at Keycloak", () => {
  it("by the admin API: the next API call ends the app session and sends the user to Keycloak's login form, then back", async () => {
    const { jar, sid } = await logIn();
    await admin.request("POST", `/${REALM}/users/${await admin.userId(REALM, "demo")}/logout`);
    expect((await admin.sessions(REALM, "demo")).map((session) => session.id)).not.toContain(sid);

    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(302);
    expect(account.headers.get("location")).toBe(`/login?${new URLSearchParams({ returnTo: "/account" })}`);
    expect(await sessionIn(jar, app)).toBeNull();
    // Keycloak was asked, and refused.
    await expect.poll(async () => (await eventsOf(sid, "REFRESH_TOKEN_ERROR")).length, RECORDED).toBe(1);
    expect(stack.app.output()).toMatch(
      new RegExp(`"event":"token_refresh","realm":"${REALM}","sub":"[^"]+","outcome":"session_ended"`),
    );

    // Keycloak's login form, not a loop: its session is gone too.
    const toKeycloak = await follow(jar, account, `${app}/account`, app);
    expect(toKeycloak.url.startsWith(`${keycloak}/realms/${REALM}/protocol/openid-connect/auth?`)).toBe(true);
    const loginPage = await follow(jar, await browse(jar, toKeycloak.url), toKeycloak.url, keycloak);
    expect(textOf(loginPage.html!)).toContain("Sign in to your account");

    const callback = await signInAtKeycloak(jar, loginPage, { app, keycloak, realm: REALM });
    const back = await follow(jar, await browse(jar, callback), callback, app);
    expect(back.url).toBe(`${app}/account`);
    expect(userinfoFacts(back.html!)).toContain("demo@example.com");
  });
});

describe("signing in again within Keycloak's session", () => {
  it("keeps the app session: the next renewal's ID token, with Keycloak's later auth_time, is accepted (OpenID Connect Core 12.2 as the app reads it)", async () => {
    const { jar, sid } = await logIn();
    const loginAuthTime = decodeJwt((await sessionIn(jar, app))!.idToken).auth_time as number;
    const sessionsBefore = (await admin.sessions(REALM, "demo")).length;
    // auth_time counts whole seconds: let one pass, so that a new authentication can only be later.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    // Another login with prompt=login in the same browser: Keycloak asks for the password again, within the same
    // SSO session. The browser is not taken back to the app, whose session stays the one from the first login.
    const again = await browse(jar, `${app}/auth/${REALM}/login?prompt=login`);
    expect(new URL(again.headers.get("location")!).searchParams.get("prompt")).toBe("login");
    const loginPage = await follow(jar, again, `${app}/auth/${REALM}/login`, keycloak);
    const callback = await signInAtKeycloak(jar, loginPage, { app, keycloak, realm: REALM });
    expect(callback.startsWith(`${app}/auth/${REALM}/callback?`)).toBe(true);
    // The same SSO session, not a second one beside it.
    const sessions = (await admin.sessions(REALM, "demo")).map((session) => session.id);
    expect(sessions).toContain(sid);
    expect(sessions).toHaveLength(sessionsBefore);

    // Access tokens live 10 s, under the app's 30 s margin: this renews them.
    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    expect(userinfoFacts(await account.text())).toContain("demo@example.com");
    await expect.poll(async () => (await eventsOf(sid, "REFRESH_TOKEN")).length, RECORDED).toBe(1);
    const session = (await sessionIn(jar, app))!;
    expect(decodeJwt(session.idToken).auth_time).toBe(loginAuthTime);
    // What Keycloak renewed with: its tokens now carry the second authentication's time.
    expect(decodeJwt(session.tokens!.accessToken).auth_time).toBeGreaterThan(loginAuthTime);
  });
});

describe("a session ended at Keycloak while its access token is still valid", () => {
  const realm = "tokens-long";
  let longStack: KeycloakStack;
  beforeAll(async () => {
    // Keycloak's usual 5 minutes: no renewal is due, the API's refusal is what the app meets first.
    await createTokensRealm(admin, realm, { accessTokenLifespan: 300 });
    longStack = await startKeycloakStack({ realms: [realm] });
    await withoutBackchannelLogout(admin, realm);
  });
  afterAll(() => longStack?.stop());

  it("Keycloak's userinfo refuses the token, the one renewal tried is refused too, and the user is sent to log in", async () => {
    const longApp = longStack.app.url;
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app: longApp, keycloak, realm, username: "demo" });
    const session = (await sessionIn(jar, longApp))!;
    const sid = decodeJwt(session.idToken).sid as string;
    expect(session.tokens!.expiresAt! - Date.now() / 1000).toBeGreaterThan(200);
    const account = await browse(jar, `${longApp}/account`);
    expect(userinfoFacts(await account.text())).toContain("demo@example.com");
    expect(await eventsOf(sid, "REFRESH_TOKEN", realm)).toEqual([]);

    await admin.request("POST", `/${realm}/users/${await admin.userId(realm, "demo")}/logout`);
    const ended = await browse(jar, `${longApp}/account`);
    expect(ended.status).toBe(302);
    expect(ended.headers.get("location")).toBe(`/login?${new URLSearchParams({ returnTo: "/account" })}`);
    expect(await sessionIn(jar, longApp)).toBeNull();
    await expect.poll(async () => (await eventsOf(sid, "REFRESH_TOKEN_ERROR", realm)).length, RECORDED).toBe(1);
    expect(await eventsOf(sid, "REFRESH_TOKEN", realm)).toEqual([]);
    const toKeycloak = await follow(jar, ended, `${longApp}/account`, longApp);
    const loginPage = await follow(jar, await browse(jar, toKeycloak.url), toKeycloak.url, keycloak);
    expect(textOf(loginPage.html!)).toContain("Sign in to your account");
  });
});

describe("roles from Keycloak's access token", () => {
  it("/admin admits demo (realm role admin) and shows the client role editor; /account lists both", async () => {
    const { jar, tokens } = await logIn();
    // As Keycloak issues it: the realm role and this client's role, azp the client.
    const claims = decodeJwt(tokens.accessToken);
    expect(claims.azp).toBe(clientId);
    expect((claims.realm_access as { roles: string[] }).roles).toContain("admin");
    expect((claims.resource_access as Record<string, { roles: string[] }>)[clientId]!.roles).toContain("editor");

    const adminPage = await browse(jar, `${app}/admin`);
    expect(adminPage.status).toBe(200);
    const adminText = decodeEntities(textOf(await adminPage.text()));
    expect(adminText).toContain("You can see this page because your access token carries the realm role admin");
    expect(adminText).toContain("You also have this app's client role editor");

    const roles = rolesShown(await (await browse(jar, `${app}/account`)).text());
    expect(roles).toEqual(expect.arrayContaining(["admin", "app:editor"]));
  });

  it("/admin refuses a user without the role with the 403 page", async () => {
    const { jar } = await logIn(READER.username);
    const roles = rolesShown(await (await browse(jar, `${app}/account`)).text());
    expect(roles).not.toContain("admin");
    expect(roles).not.toContain("app:editor");
    // Keycloak's default roles are there: the token was read, it just lacks the one /admin needs.
    expect(roles).toContain("account:view-profile");

    const refused = await browse(jar, `${app}/admin`);
    expect(refused.status).toBe(403);
    const text = decodeEntities(textOf(await refused.text()));
    expect(text).toContain("You do not have access to this page");
    expect(text).not.toContain("You can see this page because");
    // Still signed in: a missing role is not a lost session.
    expect(text).toContain("Signed in as reader");
  });
});

describe("roles granted in another realm", () => {
  // As an admin of realm acme may: a realm role named admin, granted to one of acme's users.
  const realm = "acme";
  let realmsStack: KeycloakStack;
  const deleteRole = () => admin.request("DELETE", `/${realm}/roles/admin`);
  beforeAll(async () => {
    await deleteRole().catch(() => {}); // left by an interrupted run on a reused Keycloak
    await admin.request("POST", `/${realm}/roles`, { name: "admin", description: "acme's own administrators" });
    const role = await admin.get<{ id: string; name: string }>(`/${realm}/roles/admin`);
    await admin.request("POST", `/${realm}/users/${await admin.userId(realm, "demo")}/role-mappings/realm`, [role]);
    realmsStack = await startKeycloakStack({ realms: ["demo", realm] });
  });
  afterAll(async () => {
    await realmsStack?.stop();
    await deleteRole();
  });

  it("/admin refuses acme's admin with the 403 page (acme/admin on /account) and admits the default realm demo's admin", async () => {
    const realmsApp = realmsStack.app.url;
    const acme = new CookieJar();
    await logInAtKeycloak(acme, { app: realmsApp, keycloak, realm, username: "demo" });
    // Keycloak puts acme's role where it puts any realm role.
    const claims = decodeJwt((await sessionIn(acme, realmsApp))!.tokens!.accessToken);
    expect(claims.iss).toBe(`${keycloak}/realms/${realm}`);
    expect((claims.realm_access as { roles: string[] }).roles).toContain("admin");

    const refused = await browse(acme, `${realmsApp}/admin`);
    expect(refused.status).toBe(403);
    const text = decodeEntities(textOf(await refused.text()));
    expect(text).toContain("You do not have access to this page");
    expect(text).not.toContain("You can see this page because");
    expect(text).toContain("Signed in as demo (acme)");
    const roles = rolesShown(await (await browse(acme, `${realmsApp}/account`)).text());
    expect(roles).toContain("acme/admin");
    expect(roles).not.toContain("admin");

    const demo = new CookieJar();
    await logInAtKeycloak(demo, { app: realmsApp, keycloak, realm: "demo", username: "demo" });
    const admitted = await browse(demo, `${realmsApp}/admin`);
    expect(admitted.status).toBe(200);
    expect(decodeEntities(textOf(await admitted.text()))).toContain(
      "You can see this page because your access token carries the realm role admin",
    );
  });
});

describe("SESSION_STORE=redis", () => {
  const realm = "tokens-redis";
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let redisStack: KeycloakStack;
  beforeAll(async () => {
    redis = await startRedis();
    await createTokensRealm(admin, realm);
    redisStack = await startKeycloakStack({
      realms: [realm],
      env: { SESSION_STORE: "redis", REDIS_URL: redis.url },
    });
  });
  afterAll(async () => {
    await redisStack?.stop();
    await redis?.stop();
  });

  it("keeps big's session (a 7 KB ID token) in Redis, renews its tokens there with Keycloak's rotating refresh token, and logout ends Keycloak's session", async () => {
    const redisApp = redisStack.app.url;
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app: redisApp, keycloak, realm, username: "big" });
    // The cookie holds only a signed id; the session, with tokens too large for any cookie, is in Redis.
    expect(jar.names(redisApp).filter((name) => name.startsWith("__session"))).toEqual(["__session_id"]);
    expect(jar.header(redisApp).length).toBeLessThan(200);
    const sessions = await admin.sessions(realm, "big");
    expect(sessions).toHaveLength(1);
    const sid = sessions[0]!.id;

    // Each call renews (the token lives less than the margin), each with the refresh token the one before kept in Redis.
    for (const renewals of [1, 2]) {
      const account = await browse(jar, `${redisApp}/account`);
      expect(account.status).toBe(200);
      expect(userinfoFacts(await account.text())).toContain("big@example.com");
      await expect.poll(async () => (await eventsOf(sid, "REFRESH_TOKEN", realm)).length, RECORDED).toBe(renewals);
    }
    expect(await eventsOf(sid, "REFRESH_TOKEN_ERROR", realm)).toEqual([]);

    const idCookie = jar.header(redisApp);
    const logout = await browse(jar, `${redisApp}/logout`, { form: {} });
    const { stop } = await sendEndSession(jar, logout, redisApp, keycloak);
    expect(stop.url.startsWith(`${redisApp}/logout/callback?state=`)).toBe(true);
    const loggedOut = await follow(jar, await browse(jar, stop.url), stop.url, redisApp);
    expect(textOf(loggedOut.html!)).toContain("You are logged out");
    expect((await admin.sessions(realm, "big")).map((session) => session.id)).not.toContain(sid);
    // The session is gone from Redis: its id, replayed, signs nobody in.
    const replayed = await fetch(`${redisApp}/account`, { headers: { cookie: idCookie }, redirect: "manual" });
    expect(replayed.status).toBe(302);
    expect(replayed.headers.get("location")).toBe(`/login?${new URLSearchParams({ returnTo: "/account" })}`);
  });
});

/** The roles /account lists, as `requireRole` names them. */
function rolesShown(html: string): string[] {
  const list = /<ul[^>]*data-testid="roles"[^>]*>([\s\S]*?)<\/ul>/.exec(html);
  expect(list, textOf(html).slice(0, 800)).not.toBeNull();
  return [...list![1]!.matchAll(/<code>([^<]*)<\/code>/g)].map((match) => match[1]!);
}
