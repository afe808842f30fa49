// A back-channel logout by `sub` ends the logins made before it and none made after, within one second.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startIdp } from "../../dev/idp/index.js";
import { TEST_CLIENT, TEST_SESSION_SECRET } from "../support/app";
import { startRedis } from "../support/redis";

let idp: Awaited<ReturnType<typeof startIdp>>;
let redis: Awaited<ReturnType<typeof startRedis>>;

beforeAll(async () => {
  [idp, redis] = await Promise.all([
    startIdp({ realms: { demo: { clients: [{ ...TEST_CLIENT, redirectUris: [], postLogoutRedirectUris: [] }] } } }),
    startRedis(),
  ]);
});
afterAll(async () => {
  await idp?.close();
  await redis?.stop();
});
afterEach(() => vi.useRealTimers());

/** The app's session and back-channel modules, fresh, configured for the dev IdP and the given store. */
async function appModules(store: "memory" | "redis") {
  vi.resetModules();
  Object.assign(process.env, {
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
    KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    SESSION_SECRET: TEST_SESSION_SECRET,
    REDIS_URL: store === "redis" ? redis.url : "",
  });
  const session = await import("~/auth/session.server");
  const { handleBackchannelLogout } = await import("~/auth/backchannel.server");
  const revocation = await import("~/auth/revocation.server");
  expect(revocation.getRevocationStore()).toBeInstanceOf(
    store === "redis" ? revocation.RedisRevocationStore : revocation.MemoryRevocationStore,
  );
  return {
    /** The Cookie header of a new session of `sub`. */
    async logIn(sub: string) {
      const response = await session.createAuthSession(
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
      (await session.getAuthSession(new Request("http://localhost:3000/account", { headers: { cookie } }))) !== null,
    /** What the IdP sends when the user logged out there: a logout token naming the user, not a session. */
    async backchannelLogout(sub: string) {
      const logoutToken = idp.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sub, sid: undefined });
      const request = new Request("http://localhost:3000/auth/demo/backchannel-logout", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ logout_token: logoutToken }),
      });
      expect((await handleBackchannelLogout(request, "demo")).status).toBe(200);
    },
  };
}

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
