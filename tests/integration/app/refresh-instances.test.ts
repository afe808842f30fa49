// Two app instances sharing Redis renew one session's access token once between them.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningApp } from "../../support/app";
import { CookieJar } from "../../support/browserless";
import { encryptedSession, logInOverHttp, sessionIn } from "../../support/login";
import { startTwoInstances, type TwoInstances } from "../../support/two-instances";

/** Access tokens live 36 s and are renewed 30 s before they expire. */
const ACCESS_TOKEN_TTL = 36;

let instances: TwoInstances;
let idp: TwoInstances["idp"];
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  instances = await startTwoInstances({ accessTokenTtl: ACCESS_TOKEN_TTL });
  ({ idp, a, b } = instances);
});
afterAll(() => instances?.stop());

const tokenRequests = () =>
  idp.requests.filter((r) => r.method === "POST" && r.path.endsWith("/protocol/openid-connect/token")).length;

it("renews an expiring access token once for requests of one session spread over two instances", async () => {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app: a.url, idp: idp.url })).status).toBe(302);
  const { expiresAt } = (await sessionIn(jar, a.url))!.tokens!;
  // Renewal is due 30 s before expiry: wait for that, computed from the token, not guessed.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (expiresAt! - 30 + 1) * 1000 - Date.now())));

  const before = tokenRequests();
  const cookie = jar.header(a.url);
  const responses = await Promise.all(
    [a, b, a, b, a, b].map((app) => fetch(`${app.url}/account`, { headers: { cookie }, redirect: "manual" })),
  );
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);
  expect(tokenRequests() - before).toBe(1);
  // Coordinated through Redis, not renewed locally after a Redis error.
  for (const app of [a, b]) expect(app.output()).not.toContain("renewed_locally");

  // Every instance handed out the same renewed tokens.
  const renewed = await Promise.all(
    responses.map(async (response) => {
      const copy = new CookieJar();
      copy.store(a.url, response);
      return (await sessionIn(copy, a.url))?.tokens?.accessToken;
    }),
  );
  expect(new Set(renewed).size).toBe(1);
  expect(renewed[0]).not.toBeUndefined();
});

it("checks a session whose last check is past SESSION_CHECK_INTERVAL once for its pages spread over two instances, each page sending the renewed cookie", async () => {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app: a.url, idp: idp.url })).status).toBe(302);
  // The IdP's last word on the session 300 s old (the default interval), written into the session.
  const session = (await sessionIn(jar, a.url))!;
  const checkedAt = Math.floor(Date.now() / 1000) - 300;
  const aged = await encryptedSession({ ...session, tokens: { ...session.tokens!, checkedAt } });

  const before = tokenRequests();
  // The home page reads only the user (the root loader): the check needs no API call to happen.
  const responses = await Promise.all(
    [a, b, a, b].map((app) => fetch(`${app.url}/`, { headers: { cookie: `__session=${aged}` }, redirect: "manual" })),
  );
  expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
  expect(tokenRequests() - before).toBe(1);
  const renewed = await Promise.all(
    responses.map(async (response) => {
      const copy = new CookieJar();
      copy.store(a.url, response);
      return (await sessionIn(copy, a.url))?.tokens;
    }),
  );
  expect(new Set(renewed.map((tokens) => tokens?.refreshToken)).size).toBe(1);
  expect(renewed[0]!.refreshToken).not.toBe(session.tokens!.refreshToken);
  expect(renewed[0]!.checkedAt).toBeGreaterThan(checkedAt);
});
