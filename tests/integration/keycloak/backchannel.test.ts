// Back-channel logout with Keycloak's own logout_token: sent when an admin
// logs the user out, and when the user logs out of another client of the
// realm; two app instances share the revocations through a real Redis.
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../../support/app";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { KeycloakAdmin, keycloakUrl, pointClientAt, REALM_CLIENTS } from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession, startKeycloakLogin } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";
import { startLogoutTokenTap } from "../../support/logout-token-tap";
import { startRedis } from "../../support/redis";

const SECOND_CLIENT = { clientId: "second-app", clientSecret: "second-app-secret-0123456789" };

let keycloak: string;
let admin: KeycloakAdmin;
let redis: Awaited<ReturnType<typeof startRedis>>;
let tap: Awaited<ReturnType<typeof startLogoutTokenTap>>;
/** Two instances of the app (client remix-app) behind one back-channel URL, and the app as a second client. */
let a: RunningApp;
let b: RunningApp;
let second: RunningApp;

beforeAll(async () => {
  keycloak = keycloakUrl();
  admin = new KeycloakAdmin(keycloak);
  redis = await startRedis();
  const [portA, portB, portSecond] = [await freePort(), await freePort(), await freePort()];
  const [urlA, urlB, urlSecond] = [portA, portB, portSecond].map((port) => `http://localhost:${port}`);
  tap = await startLogoutTokenTap(`${urlA}/auth/demo/backchannel-logout`);

  const { clientId, clientSecret } = REALM_CLIENTS.demo!;
  await pointClientAt(admin, "demo", clientId, [urlA!, urlB!]);
  await admin.updateClient("demo", clientId, (client) => {
    client.attributes!["backchannel.logout.url"] = tap.url;
  });
  // The second client: the realm file's client under another id, as an admin would add one.
  const template = await admin.client("demo", clientId);
  const leftOver = await admin.client("demo", SECOND_CLIENT.clientId).catch(() => undefined);
  if (leftOver) await admin.request("DELETE", `/demo/clients/${leftOver.id}`);
  const { id: _id, protocolMappers: _mappers, ...rest } = template as Record<string, unknown>;
  await admin.request("POST", "/demo/clients", {
    ...rest,
    clientId: SECOND_CLIENT.clientId,
    name: "Second app",
    secret: SECOND_CLIENT.clientSecret,
  });
  await pointClientAt(admin, "demo", SECOND_CLIENT.clientId, [urlSecond!]);

  const env = {
    KEYCLOAK_URL: keycloak,
    KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: clientId,
    KEYCLOAK_CLIENT_SECRET: clientSecret,
    REDIS_URL: redis.url,
  };
  [a, b, second] = await Promise.all([
    startApp({ port: portA, env }),
    startApp({ port: portB, env }),
    startApp({
      port: portSecond,
      env: { ...env, KEYCLOAK_CLIENT_ID: SECOND_CLIENT.clientId, KEYCLOAK_CLIENT_SECRET: SECOND_CLIENT.clientSecret },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), second?.stop(), tap?.close()]);
  await redis?.stop();
});

/** The same browser session presented to an instance (a load balancer would pick one). */
const accountOn = (instance: RunningApp, cookie: string) =>
  fetch(`${instance.url}/account`, { headers: { cookie }, redirect: "manual" });

async function untilSignedOut(instance: RunningApp, cookie: string) {
  const deadline = Date.now() + 30_000;
  let response = await accountOn(instance, cookie);
  while (response.status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    response = await accountOn(instance, cookie);
  }
  return response;
}

/** The logout tokens the tap received for Keycloak session `sid`, once there is one (or after 30 s). */
async function deliveriesFor(sid: string) {
  const deadline = Date.now() + 30_000;
  const ours = () => tap.received.filter((delivery) => decodeJwt(delivery.logoutToken).sid === sid);
  while (ours().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  return ours();
}

/** Logs in on instance A; returns the session cookie and the Keycloak session id. */
async function logInOnA(jar: CookieJar) {
  await logInAtKeycloak(jar, { app: a.url, keycloak });
  const cookie = jar.header(a.url);
  expect((await accountOn(a, cookie)).status).toBe(200);
  expect((await accountOn(b, cookie)).status).toBe(200);
  return { cookie, sid: decodeJwt((await sessionIn(jar, a.url))!.idToken).sid as string };
}

async function expectKeycloakLogoutToken(token: string, sid: string) {
  // The explicit type (OpenID Connect Back-Channel Logout 1.0, 2.4) came with Keycloak 25.
  const typ = (await admin.majorVersion()) >= 25 ? "logout+jwt" : "JWT";
  expect(decodeProtectedHeader(token)).toMatchObject({ alg: "RS256", typ, kid: expect.any(String) });
  const claims = decodeJwt(token);
  expect(claims).toMatchObject({
    iss: `${keycloak}/realms/demo`,
    aud: "remix-app",
    sid,
    sub: expect.any(String),
    jti: expect.any(String),
    events: { "http://schemas.openid.net/event/backchannel-logout": {} },
  });
  expect(claims).not.toHaveProperty("nonce");
  // Two minutes, computed from milliseconds: 119 or 120 whole seconds.
  expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(119);
  expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(120);
}

describe("back-channel logout from Keycloak", () => {
  it("when an admin logs the user out (POST /admin/realms/demo/users/{id}/logout), the session ends on both instances", async () => {
    const jar = new CookieJar();
    const { cookie, sid } = await logInOnA(jar);
    tap.received.length = 0;

    await admin.request("POST", `/demo/users/${await admin.userId("demo", "demo")}/logout`);
    const onB = await untilSignedOut(b, cookie);
    expect(onB.status).toBe(302);
    expect(onB.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    expect((await accountOn(a, cookie)).status).toBe(302);

    // The admin logout ends every session of the user, also those earlier test files left at Keycloak: one token each.
    // /account may have noticed first (userinfo and the renewal refused): on a loaded machine the delivery can lag.
    const ours = await deliveriesFor(sid);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ contentType: "application/x-www-form-urlencoded", appStatus: 200 });
    await expectKeycloakLogoutToken(ours[0]!.logoutToken, sid);
    expect((await admin.sessions("demo", "demo")).map((session) => session.id)).not.toContain(sid);
  });

  it("when the user logs out of a second client of the realm, the session of this app ends on both instances", async () => {
    const jar = new CookieJar();
    const { cookie, sid } = await logInOnA(jar);
    // Single sign-on: the second client gets its session without the password.
    const atSecond = await startKeycloakLogin(jar, { app: second.url, keycloak });
    expect(atSecond.page.html).toBeUndefined();
    expect((await browse(jar, atSecond.page.url)).status).toBe(302);
    expect(decodeJwt((await sessionIn(jar, second.url))!.idToken).sid).toBe(sid);
    tap.received.length = 0;

    const logout = await browse(jar, `${second.url}/logout`, { form: {} });
    const { stop } = await sendEndSession(jar, logout, second.url, keycloak);
    expect(stop.url.startsWith(`${second.url}/logout/callback?state=`)).toBe(true);
    expect(textOf(await (await browse(jar, stop.url)).text())).toContain("You are logged out");

    const onB = await untilSignedOut(b, cookie);
    expect(onB.status).toBe(302);
    expect((await accountOn(a, cookie)).status).toBe(302);
    const ours = await deliveriesFor(sid);
    expect(ours).toHaveLength(1);
    expect(tap.received).toHaveLength(1);
    await expectKeycloakLogoutToken(ours[0]!.logoutToken, sid);
    expect(ours[0]!.appStatus).toBe(200);
  });
});
