// refreshOnce against the dev IdP over HTTP (which, like Keycloak, rotates refresh tokens and treats a reused one
// as stolen): a session's refresh token is presented once, however many requests or instances ask.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeLogin, startLogin } from "~/auth/flows/login.server";
import { getAuthSession, getIdTokenClaims, type AuthSessionData } from "~/auth/session/session.server";
import type { TokenContext } from "~/auth/tokens/context.server";
import { refreshOnce } from "~/auth/tokens/refresh-once.server";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { TEST_CLIENT } from "../../support/app";
import { tokenContext } from "../../support/auth-context";
import { CookieJar } from "../../support/browserless";
import { logInInProcess, requestWith } from "../../support/login";
import { startRedis } from "../../support/redis";

const APP = "http://localhost:3996";

let idp: Awaited<ReturnType<typeof startIdp>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
const instances: TokenContext[] = [];

beforeAll(async () => {
  [idp, redis] = await Promise.all([
    startIdp({ realms: { demo: { clients: [appClient(APP, "demo", TEST_CLIENT)] } } }),
    startRedis(),
  ]);
});
afterAll(async () => {
  await Promise.all(instances.map((ctx) => ctx.redis?.close()));
  await idp?.close();
  await redis?.stop();
});

/** A new instance of the token layer for the dev IdP; with `REDIS_URL` when given. */
function instance(env: Record<string, string> = {}): TokenContext {
  const ctx = tokenContext({
    APP_URL: APP,
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
    KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    ...env,
  });
  instances.push(ctx);
  return ctx;
}

/** A session logged in through `ctx`, with its tokens; the IdP's request log starts after the login. */
async function signedIn(ctx: TokenContext): Promise<AuthSessionData> {
  const jar = new CookieJar();
  const routes = {
    startLogin: (request: Request, realm: string) => startLogin(ctx, request, realm),
    completeLogin: (request: Request, realm: string) => completeLogin(ctx, request, realm),
  };
  await logInInProcess(routes, jar, { app: APP, idp: idp.url });
  const session = (await getAuthSession(ctx, requestWith(jar, `${APP}/`)))!;
  expect(session.tokens?.refreshToken).toEqual(expect.any(String));
  idp.clearRequests();
  return session;
}

/** The refresh grant of `session`'s refresh token, made by `ctx`'s own strategy as getAccessToken makes it. */
async function refreshGrant(ctx: TokenContext, session: AuthSessionData) {
  const strategy = await ctx.providers.get("demo")!.strategy();
  const { aud, azp, auth_time } = getIdTokenClaims(session);
  const login = { sub: session.user.sub, aud, azp: typeof azp === "string" ? azp : undefined, auth_time };
  return () => strategy.refresh(session.tokens!.refreshToken!, login);
}

/** Redis failures refreshOnce reported (it then renews without coordination). */
const storeErrors: unknown[] = [];
const renew = async (ctx: TokenContext, session: AuthSessionData) =>
  refreshOnce(ctx, "demo", session.tokens!, undefined, await refreshGrant(ctx, session), (error) =>
    storeErrors.push(error),
  );

const tokenRequests = () =>
  idp.requests.filter((r) => r.method === "POST" && r.path === "/realms/demo/protocol/openid-connect/token").length;

describe("refreshOnce in one instance", () => {
  it("makes one refresh grant for five renewals of one session at once, and all get its tokens", async () => {
    const ctx = instance();
    const session = await signedIn(ctx);

    const results = await Promise.all(Array.from({ length: 5 }, () => renew(ctx, session)));

    expect(tokenRequests()).toBe(1);
    expect(new Set(results.map((tokens) => tokens.accessToken)).size).toBe(1);
    expect(results[0]!.accessToken).not.toBe(session.tokens!.accessToken);
    expect(results[0]!.refreshToken).not.toBe(session.tokens!.refreshToken);
  });

  it("gives a request still carrying the old refresh token the same tokens, without a new grant", async () => {
    const ctx = instance();
    const session = await signedIn(ctx);
    const renewed = await renew(ctx, session);

    const late = await renew(ctx, session);

    expect(tokenRequests()).toBe(1);
    expect(late).toEqual(renewed);
  });

  it("does not keep a network failure: the next renewal asks the IdP again", async () => {
    const ctx = instance();
    const session = await signedIn(ctx);

    idp.faults.down = true;
    try {
      await expect(renew(ctx, session)).rejects.toMatchObject({ code: "idp_unreachable" });
    } finally {
      idp.faults.down = false;
    }
    const retried = await renew(ctx, session);

    // Requests the IdP dropped while down are not recorded: this one is the retry.
    expect(tokenRequests()).toBe(1);
    expect(retried.accessToken).not.toBe(session.tokens!.accessToken);
  });
});

describe("refreshOnce in two instances sharing Redis", () => {
  it("makes one refresh grant between them, and both hand out its tokens", async () => {
    const [a, b] = [instance({ REDIS_URL: redis.url }), instance({ REDIS_URL: redis.url })];
    const session = await signedIn(a);
    storeErrors.length = 0;

    const results = await Promise.all([a, b, a, b, a, b].map((ctx) => renew(ctx, session)));

    expect(tokenRequests()).toBe(1);
    expect(new Set(results.map((tokens) => tokens.accessToken)).size).toBe(1);
    expect(results[0]!.accessToken).not.toBe(session.tokens!.accessToken);
    // Coordinated through Redis, not renewed by each after a Redis error.
    expect(storeErrors).toEqual([]);
  });
});
