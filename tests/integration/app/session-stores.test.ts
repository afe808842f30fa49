// The same session suite for both stores: the encrypted cookie, and Redis
// through Remix's createSessionStorage (SESSION_STORE=redis; the cookie holds an id).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { lazyRedis } from "~/auth/session/redis.server";
import { endAllRedisSessions } from "~/auth/session/session-redis.server";
import { CookieJar, browse, decodeEntities, formOf, textOf as htmlText } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startRedis } from "../../support/redis";
import { startStack, type Stack } from "../../support/stack";
import { DEFAULT_USERS } from "../../../dev/idp/users.js";

const textOf = (html: string) => decodeEntities(htmlText(html));

/** Access tokens live 36 s and are renewed 30 s before they expire: usable for 6 s after login. */
const ACCESS_TOKEN_TTL = 36;
const USABLE_MS = (ACCESS_TOKEN_TTL - 30) * 1000;

let redis: Awaited<ReturnType<typeof startRedis>>;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const stores = [
  { store: "cookie", env: () => ({}), cookie: "__session" },
  { store: "redis", env: () => ({ SESSION_STORE: "redis", REDIS_URL: redis.url }), cookie: "__session_id" },
] as const;

describe.each(stores)("the $store session store", ({ store, env, cookie }) => {
  let stack: Stack;
  let app: string;
  beforeAll(async () => {
    // Without back-channel logout, a logout at the IdP reaches the app only through its refused refresh token.
    stack = await startStack({ accessTokenTtl: ACCESS_TOKEN_TTL, backchannelLogout: false, env: env() });
    app = stack.app.url;
  });
  afterAll(() => stack?.stop());

  const tokenRequests = () =>
    stack.idp.requests.filter((r) => r.method === "POST" && r.path.endsWith("/protocol/openid-connect/token")).length;
  const sessionCookies = (jar: CookieJar) => jar.names(app).filter((name) => name.startsWith("__session"));

  /** Logs in; resolves with the time after which the access token needs renewing. */
  async function logIn(jar: CookieJar, username = "demo"): Promise<number> {
    expect((await logInOverHttp(jar, { app, idp: stack.idp.url, username })).status).toBe(302);
    return Date.now() + USABLE_MS + 1000;
  }
  /** Waits for the access token to need renewal: computed from its lifetime, not guessed. */
  const until = (time: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));

  it("starts a session in its own cookie, which holds no token in the clear", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    expect(sessionCookies(jar)).toEqual([cookie]);
    const value = jar.header(app);
    if (store === "cookie") {
      const tokens = (await sessionIn(jar, app))?.tokens;
      expect(tokens?.refreshToken).toEqual(expect.any(String));
      const [, payload] = tokens!.accessToken.split(".");
      expect(value).not.toContain(payload);
      expect(value.split("=")[1]!.split(".")).toHaveLength(5); // a compact JWE
    } else {
      expect(value).toMatch(/^__session_id=[\w%.-]+$/); // an id, signed: nothing more
      expect(value.length).toBeLessThan(200);
    }
  });

  it("shows the account page with the roles and the userinfo API's answer, without renewing a fresh token", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const before = tokenRequests();
    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    const text = textOf(await account.text());
    expect(text).toContain("From the identity provider's API");
    expect(text).toContain("demo@example.com");
    expect(text).toMatch(/Roles.*admin.*app:editor/s);
    expect(tokenRequests()).toBe(before);
  });

  it("renews an expiring access token once for five parallel requests, and keeps the rotated refresh token", async () => {
    const jar = new CookieJar();
    const expiring = await logIn(jar);
    await until(expiring);
    const before = tokenRequests();
    const cookieHeader = jar.header(app);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${app}/account`, { headers: { cookie: cookieHeader }, redirect: "manual" }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(tokenRequests() - before).toBe(1);
    for (const response of responses) expect(textOf(await response.text())).toContain("demo@example.com");
    jar.store(app, responses[0]!);

    // The renewed tokens are in the session: the next page uses them, and asks the IdP for nothing more.
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
    expect(tokenRequests() - before).toBe(1);
    if (store === "cookie") expect(jar.header(app)).not.toBe(cookieHeader);
  });

  it("gives a request that still carries the old cookie the renewed tokens, instead of reusing the rotated refresh token", async () => {
    const jar = new CookieJar();
    const expiring = await logIn(jar);
    await until(expiring);
    const oldCookie = jar.header(app);
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
    const before = tokenRequests();
    const late = await fetch(`${app}/account`, { headers: { cookie: oldCookie }, redirect: "manual" });
    expect(late.status).toBe(200);
    expect(tokenRequests()).toBe(before);
    // The grant is intact: oidc-provider would have revoked it on a reused refresh token.
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });

  it("sends the renewed session cookie with /account even when the userinfo API then fails", async () => {
    const jar = new CookieJar();
    const expiring = await logIn(jar);
    await until(expiring);
    const before = tokenRequests();
    stack.idp.faults.failUserinfo = true;
    try {
      const account = await browse(jar, `${app}/account`);
      expect(account.status).toBe(200);
      expect(tokenRequests()).toBe(before + 1);
      // Without it the browser would keep the refresh token the renewal rotated away.
      expect(account.headers.getSetCookie().some((setCookie) => setCookie.startsWith(`${cookie}=`))).toBe(true);
    } finally {
      stack.idp.faults.failUserinfo = false;
    }
  });

  it("keeps the session when the IdP is down at renewal: /account says so in the page, /admin answers 503; it renews once the IdP is back", async () => {
    const jar = new CookieJar();
    const expiring = await logIn(jar);
    await until(expiring);
    stack.idp.faults.down = true;
    try {
      // The profile is in the session: the page stays, and its API and roles say why they are missing (issue 28.8).
      const account = await browse(jar, `${app}/account`);
      expect(account.status).toBe(200);
      const text = textOf(await account.text());
      expect(text).toContain("Your account");
      expect(text).toContain("Your roles could not be read just now. We could not reach demo.");
      expect(text).toMatch(/From the identity provider's API .*We could not reach demo\./);
      // A page that cannot work without the token still answers 503.
      const admin = await browse(jar, `${app}/admin`);
      expect(admin.status).toBe(503);
      const adminText = textOf(await admin.text());
      expect(adminText).toContain("The identity provider is unreachable");
      // Named as every other page names it (issue 28.8), not "the identity provider".
      expect(adminText).toContain("We could not reach demo.");
      expect(sessionCookies(jar)).toEqual([cookie]);
    } finally {
      stack.idp.faults.down = false;
    }
    expect((await browse(jar, `${app}/account`)).status).toBe(200);
  });

  it("ends the session and sends the user to log in, back to the page, when the IdP refuses the refresh token", async () => {
    const jar = new CookieJar();
    const expiring = await logIn(jar);
    // The IdP's session ends (an admin, an idle timeout): its refresh tokens are refused from then on.
    const logoutUrl = `${stack.idp.issuer("demo")}/protocol/openid-connect/logout`;
    const idpLogout = await browse(jar, logoutUrl);
    expect(textOf(await idpLogout.clone().text())).toContain("Do you want to log out?");
    const { action, fields } = formOf(await idpLogout.text(), logoutUrl);
    await browse(jar, action, { form: { ...fields, logout: "yes" } });
    await until(expiring);

    const admin = await browse(jar, `${app}/admin`);
    expect(admin.status).toBe(302);
    expect(admin.headers.get("location")).toBe("/login?returnTo=%2Fadmin");
    expect(sessionCookies(jar)).toEqual([]);
    await expect
      .poll(() => stack.app.output())
      .toMatch(/"event":"token_refresh","realm":"demo","sub":"[^"]+","outcome":"session_ended"/);
  });

  it("refuses /admin to a user without the role with a 403 page, and lets one with it in", async () => {
    const big = new CookieJar();
    await logIn(big, "big");
    const refused = await browse(big, `${app}/admin`);
    expect(refused.status).toBe(403);
    expect(textOf(await refused.text())).toContain("You do not have access to this page");

    const demo = new CookieJar();
    await logIn(demo);
    const admitted = await browse(demo, `${app}/admin`);
    expect(admitted.status).toBe(200);
    expect(textOf(await admitted.text())).toContain("You also have this app's client role editor");
  });

  it("treats a tampered session cookie as no session, and deletes it", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const [name, value] = jar
      .header(app)
      .split("; ")
      .find((pair) => pair.startsWith(`${cookie}=`))!
      .split(/=(.*)/s);
    const tampered = `${name}=${value!.slice(0, -2)}${value!.endsWith("A") ? "B" : "A"}`;
    const response = await fetch(`${app}/account`, { headers: { cookie: tampered }, redirect: "manual" });
    expect(response.status).toBe(302);
    expect(
      response.headers.getSetCookie().some((line) => line.startsWith(`${cookie}=;`) && /Max-Age=0/.test(line)),
    ).toBe(true);
  });

  it("ends the session at logout", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    const copy = jar.header(app);
    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBeLessThan(400);
    expect(sessionCookies(jar)).toEqual([]);
    if (store === "redis") {
      // The record is gone: the id alone, replayed, is no session.
      await expect
        .poll(async () => (await fetch(`${app}/account`, { headers: { cookie: copy }, redirect: "manual" })).status)
        .toBe(302);
    }
  });

  it.runIf(store === "redis")(
    "gives a login a new session id, never the one the browser brought (session fixation)",
    async () => {
      const jar = new CookieJar();
      await logIn(jar);
      const planted = jar.header(app);
      await logIn(jar);
      expect(jar.header(app)).not.toBe(planted);
      expect((await browse(jar, `${app}/account`)).status).toBe(200);
      // The old record is deleted: its id, replayed, is no session.
      await expect
        .poll(async () => (await fetch(`${app}/account`, { headers: { cookie: planted }, redirect: "manual" })).status)
        .toBe(302);
    },
  );

  it.runIf(store === "redis")("ends every session of one user with one delete, and no one else's", async () => {
    const [first, second, other] = [new CookieJar(), new CookieJar(), new CookieJar()];
    await logIn(first);
    await logIn(second);
    await logIn(other, "big");
    // The app's own function, run here against the same Redis.
    const connection = lazyRedis(redis.url);
    onTestFinished(() => connection.close());
    const sub = DEFAULT_USERS.find((user) => user.username === "demo")!.sub;
    expect(await endAllRedisSessions(connection, stack.idp.issuer("demo"), sub)).toBeGreaterThanOrEqual(2);
    for (const jar of [first, second]) expect((await browse(jar, `${app}/account`)).status).toBe(302);
    expect((await browse(other, `${app}/account`)).status).toBe(200);
  });

  // Last: it stops this suite's Redis.
  it.runIf(store === "redis")("answers 503 without deleting the session cookie while Redis is down", async () => {
    const jar = new CookieJar();
    await logIn(jar);
    await redis.stop();
    const response = await browse(jar, `${app}/account`);
    expect(response.status).toBe(503);
    expect(textOf(await response.text())).toContain("The app cannot reach its session store");
    expect(sessionCookies(jar)).toEqual([cookie]);
    await expect.poll(() => stack.app.output()).toMatch(/"event":"session_store_error"/);
  });
});
