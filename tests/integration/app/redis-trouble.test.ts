// Redis as the review found it could hurt: down from the start (node-redis's own
// connect() never settles), and a session-id cookie a sibling subdomain could plant.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { freePort, TEST_CLIENT } from "../../support/app";
import { sessionContext } from "../../support/auth-context";
import { CookieJar, browse } from "../../support/browserless";
import { logInOverHttp } from "../../support/login";
import { startRedis } from "../../support/redis";
import { startStack, type Stack } from "../../support/stack";

describe("Redis that was never reachable", () => {
  let stack: Stack;
  beforeAll(async () => {
    // A loopback port nobody listens on: every connection attempt is refused.
    stack = await startStack({ env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` } });
  });
  afterAll(() => stack?.stop());

  it("still shows a signed-in page (the session kept, the failure logged) and still logs out", async () => {
    const app = stack.app.url;
    const jar = new CookieJar();
    expect((await logInOverHttp(jar, { app, idp: stack.idp.url })).status).toBe(302);

    const home = await browse(jar, `${app}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('data-testid="username"');
    await expect.poll(() => stack.app.output()).toMatch(/"event":"revocation_store_error".*"outcome":"session_kept"/);

    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(302);
    expect(logout.headers.get("location")).toContain(`${stack.idp.issuer("demo")}/protocol/openid-connect/logout?`);
    expect(jar.names(app).filter((name) => name.startsWith("__session"))).toEqual([]);
  });
});

describe("the Redis store's session-id cookie when APP_URL is https", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it("is __Host-session_id (Secure, Path=/, no Domain), so a sibling subdomain cannot plant one", async () => {
    const ctx = sessionContext({
      APP_URL: "https://app.example.com",
      KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
      SESSION_STORE: "redis",
      REDIS_URL: redis.url,
    });
    onTestFinished(() => ctx.redis?.close());
    const storage = ctx.redisSessions!;
    const session = await storage.getSession(null);
    session.set("auth", { planted: false });
    const setCookie = await storage.commitSession(session);
    expect(setCookie).toMatch(/^__Host-session_id=[^;]+; Path=\/;/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).not.toMatch(/Domain=/i);
    // The plain name (what a sibling could set with Domain=) is not read as a session.
    const value = setCookie.split(";")[0]!.split("=").slice(1).join("=");
    expect((await storage.getSession(`__session_id=${value}`)).get("auth")).toBeUndefined();
    expect((await storage.getSession(`__Host-session_id=${value}`)).get("auth")).toEqual({ planted: false });
  });
});
