// A session whose tokens do not fit the cookie budget: in Redis when there is one, else kept without its tokens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_USERS, groupPaths } from "../../../dev/idp/users.js";
import { CookieJar, browse, decodeEntities, textOf } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startRedis } from "../../support/redis";
import { startStack, type Stack } from "../../support/stack";

const [demo] = DEFAULT_USERS;
// 125 long group paths: the session takes 5.7 KB of cookies without its tokens, 6.5 KB with them (the budget: 6 KB).
const many = {
  ...demo!,
  sub: "sub-many",
  username: "many",
  password: "many",
  email: "many@example.com",
  groups: groupPaths(125),
};
const text = async (response: Response) => decodeEntities(textOf(await response.text()));

describe("without Redis", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ users: [demo!, many] });
  });
  afterAll(() => stack?.stop());

  it("keeps the identity in the cookie and leaves the tokens out: pages work, API pages say why, and the log says so", async () => {
    const jar = new CookieJar();
    const app = stack.app.url;
    expect((await logInOverHttp(jar, { app, idp: stack.idp.url, username: "many" })).status).toBe(302);
    const session = await sessionIn(jar, app);
    expect(session?.user.username).toBe("many");
    expect(session?.tokens).toBeNull();
    await expect
      .poll(() => stack.app.output())
      .toMatch(/"event":"session_tokens_dropped","realm":"demo","sub":"sub-many","outcome":"cookie_over_budget"/);

    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    const page = await text(account);
    expect(page).toContain("department-125");
    expect(page).toContain("cannot call other services on your behalf");

    const admin = await browse(jar, `${app}/admin`);
    expect(admin.status).toBe(503);
    expect(await text(admin)).toContain("This page cannot be shown for your account here");
    expect(jar.names(app)).toContain("__session"); // no loop to login: the session stays
  });
});

describe("with Redis (REDIS_URL) and the cookie store", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let stack: Stack;
  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack({ users: [demo!, many], env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it("keeps a session within the budget in the cookie, and one beyond it in Redis, tokens and all", async () => {
    const app = stack.app.url;
    const small = new CookieJar();
    await logInOverHttp(small, { app, idp: stack.idp.url, username: "demo" });
    expect(small.names(app).filter((name) => name.startsWith("__session"))).toEqual(["__session"]);

    const large = new CookieJar();
    await logInOverHttp(large, { app, idp: stack.idp.url, username: "many" });
    expect(large.names(app).filter((name) => name.startsWith("__session"))).toEqual(["__session_id"]);
    const account = await browse(large, `${app}/account`);
    expect(account.status).toBe(200);
    const page = await text(account);
    expect(page).toContain("department-125");
    expect(page).toContain("many@example.com");
    expect(page).not.toContain("cannot call other services");
  });
});
