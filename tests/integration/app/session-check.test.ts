// The session checked with the provider (SESSION_CHECK_INTERVAL), through an auth instance in this process against
// the dev IdP over HTTP: a session whose last word from the IdP is older than the interval is renewed on its next
// request (once, however many requests ask); one the IdP ended sends the user to log in; one whose IdP is
// unreachable is kept. The interval's passing is written into the session (its `checkedAt`), so nothing waits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, type Auth } from "~/auth/index.server";
import { remix } from "~/auth/frameworks/remix.server";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { TEST_CLIENT } from "../../support/app";
import { logLines, testConfig } from "../../support/auth-context";
import { browse, CookieJar, follow } from "../../support/browserless";
import { continueIdpLogout, encryptedSession, logInInProcess, requestWith, sessionIn } from "../../support/login";

const APP = "http://localhost:3996";
const INTERVAL = 300;

type Idp = Awaited<ReturnType<typeof startIdp>>;
let idp: Idp;
let auth: Auth;
const log = logLines();

const startDemoIdp = () => startIdp({ realms: { demo: { clients: [appClient(APP, "demo", TEST_CLIENT)] } } });
const instanceFor = (idpUrl: string, env: Record<string, string> = {}) =>
  createAuth(
    testConfig({
      APP_URL: APP,
      KEYCLOAK_URL: idpUrl,
      KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
      KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
      SESSION_CHECK_INTERVAL: String(INTERVAL),
      ...env,
    }),
    { framework: remix, log },
  );

beforeAll(async () => {
  idp = await startDemoIdp();
  auth = instanceFor(idp.url);
});
afterAll(async () => {
  await auth?.close();
  await idp?.close();
});

const tokenRequests = (provider = idp) =>
  provider.requests.filter((r) => r.method === "POST" && r.path === "/realms/demo/protocol/openid-connect/token")
    .length;

/** A browser signed in through `instance`; the IdP's request log starts after the login. */
async function signedIn(instance = auth, provider = idp) {
  const jar = new CookieJar();
  expect((await logInInProcess(instance, jar, { app: APP, idp: provider.url })).status).toBe(302);
  const session = (await sessionIn(jar, APP))!;
  expect(session.tokens?.checkedAt).toBeGreaterThan(Date.now() / 1000 - 60);
  provider.clearRequests();
  return { jar, session };
}

/** The jar's session as if the IdP's last word on it were `INTERVAL` seconds old (or changed by `change`). */
async function aged(jar: CookieJar, change: (tokens: Record<string, unknown>) => void = () => {}) {
  const session = (await sessionIn(jar, APP))!;
  const tokens = { ...session.tokens!, checkedAt: Math.floor(Date.now() / 1000) - INTERVAL };
  change(tokens);
  const value = await encryptedSession({ ...session, tokens });
  jar.store(APP, new Response(null, { headers: { "Set-Cookie": `__session=${value}; Path=/` } }));
}

describe("a session within the interval", () => {
  it("is read without asking the IdP", async () => {
    const { jar } = await signedIn();
    const request = requestWith(jar, `${APP}/`);
    expect((await auth.getUser(request))?.username).toBe("demo");
    expect((await auth.staleAuthSessionHeaders(request)).getSetCookie()).toEqual([]);
    expect(tokenRequests()).toBe(0);
  });
});

describe("a session past the interval, alive at the IdP", () => {
  it("is renewed once on its next request, the new cookie sent with the page, and then not again", async () => {
    const { jar, session } = await signedIn();
    await aged(jar);

    const request = requestWith(jar, `${APP}/`);
    expect((await auth.getUser(request))?.username).toBe("demo");
    const headers = await auth.staleAuthSessionHeaders(request);
    expect(tokenRequests()).toBe(1);
    jar.store(APP, new Response(null, { headers }));
    const renewed = (await sessionIn(jar, APP))!;
    expect(renewed.tokens!.refreshToken).not.toBe(session.tokens!.refreshToken);
    expect(renewed.tokens!.checkedAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);

    expect((await auth.getUser(requestWith(jar, `${APP}/`)))?.username).toBe("demo");
    expect(tokenRequests()).toBe(1);
  });

  it("costs one grant for many requests at once, and for every check in one request", async () => {
    const { jar } = await signedIn();
    await aged(jar);
    const users = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const request = requestWith(jar, `${APP}/account`);
        const [user] = await Promise.all([auth.getUser(request), auth.requireAuthSession(request)]);
        await auth.getAccessToken(request);
        return user?.username;
      }),
    );
    expect(users).toEqual(Array(6).fill("demo"));
    expect(tokenRequests()).toBe(1);
  });
});

describe("a session past the interval, ended at the IdP", () => {
  it("sends the user to log in and back, deleting the cookie; the next request asks nothing and is anonymous", async () => {
    const { jar, session } = await signedIn();
    // The user logs out at the IdP's own page (no back-channel logout reaches this instance).
    const logoutUrl = `${idp.issuer("demo")}/protocol/openid-connect/logout?${new URLSearchParams({
      id_token_hint: session.idToken,
    })}`;
    await continueIdpLogout(jar, await follow(jar, await browse(jar, logoutUrl), logoutUrl, idp.url), idp.url);
    // Within the interval the app does not know yet.
    expect((await auth.getUser(requestWith(jar, `${APP}/`)))?.username).toBe("demo");
    await aged(jar);
    idp.clearRequests();

    const thrown: unknown = await auth.getUser(requestWith(jar, `${APP}/?tab=1`)).catch((error) => error);
    expect(thrown).toBeInstanceOf(Response);
    const redirect = thrown as Response;
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("Location")).toBe("/login?returnTo=%2F%3Ftab%3D1");
    expect(redirect.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=;.*Max-Age=0/));
    expect(tokenRequests()).toBe(1);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: "token_refresh", outcome: "session_ended" }));

    jar.store(APP, redirect);
    expect(await auth.getUser(requestWith(jar, `${APP}/login?returnTo=%2F`))).toBeNull();
    expect(tokenRequests()).toBe(1);
  });
});

describe("a session past the interval whose IdP cannot be reached", () => {
  it("is kept, the log says why, and the next requests do not ask again at once", async () => {
    const lone = await startDemoIdp();
    const instance = instanceFor(lone.url);
    try {
      const { jar } = await signedIn(instance, lone);
      await aged(jar);
      await lone.close();
      const checks = () => log.lines.filter((line) => line.event === "session_check").length;
      const before = checks();

      for (let i = 0; i < 3; i++) {
        const request = requestWith(jar, `${APP}/`);
        expect((await instance.getUser(request))?.username).toBe("demo");
        expect((await instance.staleAuthSessionHeaders(request)).getSetCookie()).toEqual([]);
      }
      expect(checks()).toBe(before + 1);
      expect(log.lines.filter((line) => line.event === "session_check").at(-1)).toMatchObject({
        outcome: "session_kept",
      });
    } finally {
      await instance.close();
    }
  });
});

describe("sessions that are never checked", () => {
  it("with SESSION_CHECK_INTERVAL=0", async () => {
    const off = instanceFor(idp.url, { SESSION_CHECK_INTERVAL: "0" });
    try {
      const { jar } = await signedIn(off);
      await aged(jar);
      expect((await off.getUser(requestWith(jar, `${APP}/`)))?.username).toBe("demo");
      expect(tokenRequests()).toBe(0);
    } finally {
      await off.close();
    }
  });

  it("without a refresh token (a provider that issues none): nothing can ask, the session lasts", async () => {
    const { jar } = await signedIn();
    await aged(jar, (tokens) => delete tokens.refreshToken);
    expect((await auth.getUser(requestWith(jar, `${APP}/`)))?.username).toBe("demo");
    expect(tokenRequests()).toBe(0);
  });
});
