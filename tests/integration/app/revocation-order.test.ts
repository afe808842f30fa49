// A back-channel logout by `sub` ends the logins made before it and none made after, within one second.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startIdp } from "../../../dev/idp/index.js";
import { TEST_CLIENT, TEST_SESSION_SECRET } from "../../support/app";
import { createClient } from "@redis/client";
import { startRedis } from "../../support/redis";
import { handleBackchannelLogout } from "~/auth/flows/backchannel.server";
import { MemoryRevocationStore, RedisRevocationStore } from "~/auth/session/revocation.server";
import { createAuthSession, getAuthSession } from "~/auth/session/session.server";
import { tokenContext } from "../../support/auth-context";

let idp: Awaited<ReturnType<typeof startIdp>>;
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  [idp, redis] = await Promise.all([
    startIdp({ realms: { demo: { clients: [{ ...TEST_CLIENT, redirectUris: [], postLogoutRedirectUris: [] }] } } }),
    startRedis(),
  ]);
});
const instances: ReturnType<typeof tokenContext>[] = [];
afterAll(async () => {
  await Promise.all(instances.map((ctx) => ctx.redis?.close()));
  await idp?.close();
  await redis?.stop();
});
afterEach(() => vi.useRealTimers());

/** The app's session and back-channel layers, a new instance configured for the dev IdP and the given store. */
async function appModules(store: "memory" | "redis") {
  const ctx = tokenContext({
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
    KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    SESSION_SECRET: TEST_SESSION_SECRET,
    REDIS_URL: store === "redis" ? redis.url : "",
  });
  instances.push(ctx);
  expect(ctx.revocations).toBeInstanceOf(store === "redis" ? RedisRevocationStore : MemoryRevocationStore);
  return {
    /** The Cookie header of a new session of `sub`. */
    async logIn(sub: string) {
      const response = await createAuthSession(
        ctx,
        new Request("http://localhost:3000/auth/demo/callback"),
        { user: { realm: "demo", sub, username: sub }, idToken: "header.payload.signature" },
        "/",
      );
      return response.headers
        .getSetCookie()
        .map((cookie) => cookie.split(";")[0])
        .join("; ");
    },
    signedIn: async (cookie: string) =>
      (await getAuthSession(ctx, new Request("http://localhost:3000/account", { headers: { cookie } }))) !== null,
    /** What the IdP sends when the user logged out there: a logout token naming the user, not a session. */
    async backchannelLogout(sub: string) {
      expect(await this.deliver(logoutTokenFor(sub))).toBe(200);
    },
    /** Delivers a logout token as the IdP does; the app's status. */
    async deliver(logoutToken: string) {
      const request = new Request("http://localhost:3000/auth/demo/backchannel-logout", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ logout_token: logoutToken }),
      });
      return (await handleBackchannelLogout(ctx, request, "demo")).status;
    },
  };
}

const logoutTokenFor = (sub: string) =>
  idp.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sub, sid: undefined });

/** A wall-clock time 100 ms into a second, near now (tokens are checked against it). */
const earlyInASecond = () => Math.floor(Date.now() / 1000) * 1000 + 100;

describe.each(["memory", "redis"] as const)("back-channel logout by sub, %s store", (store) => {
  it("ends the login made earlier in the same second and keeps the one made later", async () => {
    const app = await appModules(store);
    const sub = `user-${store}-second`;
    const start = earlyInASecond();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
    const before = await app.logIn(sub);
    vi.setSystemTime(start + 400);
    await app.backchannelLogout(sub);
    vi.setSystemTime(start + 800);
    const after = await app.logIn(sub);

    expect(await app.signedIn(before)).toBe(false);
    expect(await app.signedIn(after)).toBe(true);
  });

  it("orders a login and a logout even within the same millisecond", async () => {
    const app = await appModules(store);
    const sub = `user-${store}-millisecond`;
    const start = earlyInASecond();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
    const before = await app.logIn(sub);
    await app.backchannelLogout(sub);
    const after = await app.logIn(sub);

    expect(await app.signedIn(before)).toBe(false);
    expect(await app.signedIn(after)).toBe(true);
  });
});

describe.each(["memory", "redis"] as const)("a logout token delivered twice, %s store", (store) => {
  it("is refused the second time and revokes nothing then, not even the logins made since", async () => {
    const app = await appModules(store);
    const sub = `user-${store}-replay`;
    const token = logoutTokenFor(sub);
    const before = await app.logIn(sub);
    expect(await app.deliver(token)).toBe(200);
    const since = await app.logIn(sub);

    expect(await app.deliver(token)).toBe(400);
    expect(await app.signedIn(before)).toBe(false);
    expect(await app.signedIn(since)).toBe(true);
  });
});

describe("a logout token the Redis store failed part-way", () => {
  it("is accepted when the IdP sends it again, and ends the session then", async () => {
    const app = await appModules("redis");
    const sub = "user-redis-part-way";
    const token = logoutTokenFor(sub);
    const session = await app.logIn(sub);
    // The revocation key holds a list: Redis fails the revocation after the script began.
    const redisClient = await createClient({ url: redis.url }).connect();
    const revocationKey = `remix-keycloak:revoked:${idp.issuer("demo")}:sub:${sub}`;
    try {
      await redisClient.rPush(revocationKey, "not a time");
      expect(await app.deliver(token)).toBe(503);
      expect(await app.signedIn(session)).toBe(true);

      await redisClient.del(revocationKey);
      expect(await app.deliver(token)).toBe(200);
      expect(await app.signedIn(session)).toBe(false);
    } finally {
      await redisClient.quit();
    }
  });
});
