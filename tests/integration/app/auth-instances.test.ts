// Two createAuth instances side by side in one process, each with its own configuration: its own dev IdP (both
// with a realm "demo" and the same users, so the same realm name and `sub`), APP_URL and session secret; A keeps
// revocations in Redis, B in memory, and C (B's IdP) in A's Redis. Nothing one does is seen by another.
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, type Auth } from "~/auth/index.server";
import { remix } from "~/auth/frameworks/remix.server";
import { sessionId } from "~/auth/session/session.server";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { TEST_CLIENT } from "../../support/app";
import { logLines, testConfig } from "../../support/auth-context";
import { CookieJar } from "../../support/browserless";
import { logInInProcess, requestWith, sessionIn } from "../../support/login";
import { startRedis } from "../../support/redis";

const APP_A = "http://localhost:3994";
const APP_B = "http://localhost:3995";
const APP_C = "http://localhost:3993";
const SECRET_A = "instance-a-session-secret-0123456789abcdef";
const SECRET_B = "instance-b-session-secret-0123456789abcdef";
const SECRET_C = "instance-c-session-secret-0123456789abcdef";
const SUB = "5c0f6b1e-3f2a-4d7b-9a61-0d3c2e8f4a10"; // the dev IdP's user "demo", at both IdPs

let idpA: Awaited<ReturnType<typeof startIdp>>;
let idpB: Awaited<ReturnType<typeof startIdp>>;
let redis: Awaited<ReturnType<typeof startRedis>>;
let a: Auth;
let b: Auth;
/** Like B (B's IdP), but keeping its revocations in the Redis that A uses. */
let c: Auth;

/** The app's client in `realm`, registered for the apps at `urls`. */
function clientOf(urls: string[], realm: string) {
  const each = urls.map((url) => appClient(url, realm, TEST_CLIENT));
  return {
    ...each[0]!,
    redirectUris: each.flatMap((client) => client.redirectUris),
    postLogoutRedirectUris: each.flatMap((client) => client.postLogoutRedirectUris),
  };
}

beforeAll(async () => {
  [idpA, idpB, redis] = await Promise.all([
    startIdp({ realms: { demo: { clients: [clientOf([APP_A], "demo")] } } }),
    startIdp({
      realms: {
        demo: { clients: [clientOf([APP_B, APP_C], "demo")] },
        acme: { clients: [clientOf([APP_B], "acme")] },
      },
    }),
    startRedis(),
  ]);
  const client = { KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId, KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret };
  a = createAuth(
    testConfig({ ...client, APP_URL: APP_A, KEYCLOAK_URL: idpA.url, SESSION_SECRET: SECRET_A, REDIS_URL: redis.url }),
    { framework: remix, log: logLines() },
  );
  b = createAuth(
    testConfig({
      ...client,
      APP_URL: APP_B,
      KEYCLOAK_URL: idpB.url,
      KEYCLOAK_REALMS: "acme",
      KEYCLOAK_REALM_ACME_LABEL: "Acme Corp",
      SESSION_SECRET: SECRET_B,
    }),
    { framework: remix, log: logLines() },
  );
  c = createAuth(
    testConfig({ ...client, APP_URL: APP_C, KEYCLOAK_URL: idpB.url, SESSION_SECRET: SECRET_C, REDIS_URL: redis.url }),
    { framework: remix, log: logLines() },
  );
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close(), c?.close()]);
  await Promise.all([idpA?.close(), idpB?.close()]);
  await redis?.stop();
});

/** A new browser signed in as "demo" to the app at `url` through `auth`. */
async function signedIn(auth: Auth, url: string, idp: { url: string }) {
  const jar = new CookieJar();
  expect((await logInInProcess(auth, jar, { app: url, idp: idp.url })).status).toBe(302);
  return jar;
}

/** The user `auth` sees in a request to `url` carrying `cookie`. */
const userIn = (auth: Auth, url: string, cookie: string) =>
  auth.getUser(new Request(`${url}/account`, { headers: { cookie } }));

/** Delivers a logout token to `auth`'s back-channel endpoint; its status. */
async function deliver(auth: Auth, url: string, logoutToken: string) {
  const request = new Request(`${url}/auth/demo/backchannel-logout`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ logout_token: logoutToken }),
  });
  return (await auth.handleBackchannelLogout(request, "demo")).status;
}

describe("two auth instances in one process", () => {
  it("each lists its own providers, each discovered at its own IdP", async () => {
    expect(a.listProviders().map(({ name, label }) => ({ name, label }))).toEqual([{ name: "demo", label: "demo" }]);
    expect(b.listProviders().map(({ name, label }) => ({ name, label }))).toEqual([
      { name: "demo", label: "demo" },
      { name: "acme", label: "Acme Corp" },
    ]);
    expect(a.getProvider("acme")).toBeNull();
    expect((await a.getProvider("demo")!.strategy()).issuer).toBe(idpA.issuer("demo"));
    expect((await b.getProvider("demo")!.strategy()).issuer).toBe(idpB.issuer("demo"));
  });

  it("reads a session made by one as no session on the other, both ways", async () => {
    const [jarA, jarB] = await Promise.all([signedIn(a, APP_A, idpA), signedIn(b, APP_B, idpB)]);
    const [cookieA, cookieB] = [jarA.header(APP_A), jarB.header(APP_B)];

    expect(await userIn(a, APP_A, cookieA)).toMatchObject({ realm: "demo", sub: SUB });
    expect(await userIn(b, APP_B, cookieB)).toMatchObject({ realm: "demo", sub: SUB });
    expect(await userIn(b, APP_B, cookieA)).toBeNull();
    expect(await userIn(a, APP_A, cookieB)).toBeNull();
  });

  it("ends A's sessions of a user at a back-channel logout from A's IdP, and none of B's", async () => {
    const [jarA, jarB] = await Promise.all([signedIn(a, APP_A, idpA), signedIn(b, APP_B, idpB)]);
    const logoutToken = idpA.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sub: SUB, sid: undefined });

    expect(await deliver(a, APP_A, logoutToken)).toBe(200);
    // B trusts only its own IdP: the same token is not B's to act on.
    expect(await deliver(b, APP_B, logoutToken)).toBe(400);

    expect(await userIn(a, APP_A, jarA.header(APP_A))).toBeNull();
    expect(await userIn(b, APP_B, jarB.header(APP_B))).toMatchObject({ realm: "demo", sub: SUB });
    // A keeps its revocations in Redis.
    const client = await createClient({ url: redis.url }).connect();
    try {
      expect(await client.keys(`remix-keycloak:revoked:*:sub:${SUB}`)).toHaveLength(1);
    } finally {
      await client.quit();
    }
  });

  it("ends only B's session at a logout on B, and sends the browser to B's IdP", async () => {
    const [jarA, jarB] = await Promise.all([signedIn(a, APP_A, idpA), signedIn(b, APP_B, idpB)]);
    const cookieB = jarB.header(APP_B);
    const sid = sessionId((await sessionIn(jarB, APP_B, SECRET_B))!);

    const ended = await b.logout(requestWith(jarB, `${APP_B}/logout`, { method: "POST" }));

    expect(ended.status).toBe(302);
    const endSession = new URL(ended.headers.get("Location")!);
    expect(endSession.origin + endSession.pathname).toBe(`${idpB.issuer("demo")}/protocol/openid-connect/logout`);
    // A copy of B's cookie is dead (B recorded the logout, in its memory), A's session lives on.
    expect(await userIn(b, APP_B, cookieB)).toBeNull();
    expect(await userIn(a, APP_A, jarA.header(APP_A))).toMatchObject({ realm: "demo", sub: SUB });
    const client = await createClient({ url: redis.url }).connect();
    try {
      expect(await client.keys(`remix-keycloak:revoked:*${sid}`)).toEqual([]);
    } finally {
      await client.quit();
    }
  });
});

describe("two auth instances with different IdPs sharing one Redis", () => {
  // OpenID Connect Core 2: a `sub` is unique only within its issuer. Revocations keyed by the provider's name
  // (`demo:sub:<sub>`) let a logout from A's IdP end the sessions of C's users whose `sub` is the same at C's IdP
  // (the dev IdPs share their users; two Keycloaks imported from one realm export share user ids): they are keyed
  // by the provider's issuer.
  it("ends A's sessions at a back-channel logout from A's IdP, not C's", async () => {
    const [jarA, jarC] = await Promise.all([signedIn(a, APP_A, idpA), signedIn(c, APP_C, idpB)]);
    const logoutToken = idpA.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sub: SUB, sid: undefined });

    expect(await deliver(a, APP_A, logoutToken)).toBe(200);

    expect(await userIn(a, APP_A, jarA.header(APP_A))).toBeNull();
    expect(await userIn(c, APP_C, jarC.header(APP_C))).toMatchObject({ realm: "demo", sub: SUB });
  });
});
