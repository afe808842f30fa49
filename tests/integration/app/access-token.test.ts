// getAccessToken through an auth instance in this process, against the dev IdP over HTTP: an access token about
// to expire is renewed once per request and its new cookie handed back; a refresh token the IdP refuses ends the
// app session and sends the user to log in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, createAuth, KeycloakStrategy, type Auth } from "~/auth/index.server";
import { remix } from "~/auth/frameworks/remix.server";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { TEST_CLIENT } from "../../support/app";
import { logLines, testConfig } from "../../support/auth-context";
import { browse, CookieJar, follow } from "../../support/browserless";
import { continueIdpLogout, logInInProcess, requestWith, sessionIn } from "../../support/login";

const APP = "http://localhost:3997";
/** Renewal is due 30 s before expiry: a token that lives 30 s is due from the moment it is issued. */
const ACCESS_TOKEN_TTL = 30;

let idp: Awaited<ReturnType<typeof startIdp>>;
let auth: Auth;
const log = logLines();

beforeAll(async () => {
  idp = await startIdp({
    accessTokenTtl: ACCESS_TOKEN_TTL,
    realms: { demo: { clients: [appClient(APP, "demo", TEST_CLIENT)] } },
  });
  auth = createAuth(
    testConfig({
      APP_URL: APP,
      KEYCLOAK_URL: idp.url,
      KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
      KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    }),
    { framework: remix, log },
  );
});
afterAll(async () => {
  await auth?.close();
  await idp?.close();
});

/** Token endpoint calls the IdP received since the last `clearRequests()`: after a login, only renewals. */
const tokenRequests = () =>
  idp.requests.filter((r) => r.method === "POST" && r.path === "/realms/demo/protocol/openid-connect/token").length;

/** The session that `Set-Cookie` headers would leave in a browser. */
async function sessionSetBy(headers: Headers) {
  const jar = new CookieJar();
  jar.store(APP, new Response(null, { headers }));
  return sessionIn(jar, APP);
}

/** A new browser signed in to the app; the IdP's request log starts after the login. */
async function signedIn() {
  const jar = new CookieJar();
  expect((await logInInProcess(auth, jar, { app: APP, idp: idp.url })).status).toBe(302);
  const session = (await sessionIn(jar, APP))!;
  expect(session.tokens?.refreshToken).toEqual(expect.any(String));
  idp.clearRequests();
  return { jar, session };
}

describe("getAccessToken of a session whose access token is about to expire", () => {
  it("renews it once and returns the new session cookie with it", async () => {
    const { jar, session } = await signedIn();

    const renewed = await auth.getAccessToken(requestWith(jar, `${APP}/account`));

    expect(tokenRequests()).toBe(1);
    expect(renewed.accessToken).not.toBe(session.tokens!.accessToken);
    const committed = await sessionSetBy(renewed.headers);
    expect(committed?.user.sub).toBe(session.user.sub);
    expect(committed?.tokens?.accessToken).toBe(renewed.accessToken);
    expect(committed?.tokens?.refreshToken).toEqual(expect.any(String));
    expect(committed?.tokens?.refreshToken).not.toBe(session.tokens!.refreshToken);
    expect(log.lines).toContainEqual(expect.objectContaining({ event: "token_refresh", outcome: "success" }));
  });

  it("hands a second call in the same request the same token and headers, without asking the IdP again", async () => {
    const { jar } = await signedIn();
    const request = requestWith(jar, `${APP}/account`);

    const first = await auth.getAccessToken(request);
    const second = await auth.getAccessToken(request);

    expect(tokenRequests()).toBe(1);
    expect(second.accessToken).toBe(first.accessToken);
    expect(second.headers).toBe(first.headers);
    expect((await sessionSetBy(second.headers))?.tokens?.accessToken).toBe(first.accessToken);
  });

  it("renews it again when asked to (forceRefresh), and the headers then carry the newest tokens", async () => {
    const { jar } = await signedIn();
    const request = requestWith(jar, `${APP}/account`);

    const first = await auth.getAccessToken(request);
    const forced = await auth.getAccessToken(request, { forceRefresh: true });

    expect(tokenRequests()).toBe(2);
    expect(forced.accessToken).not.toBe(first.accessToken);
    expect((await sessionSetBy(forced.headers))?.tokens?.accessToken).toBe(forced.accessToken);
    // The browser given those headers holds a session the IdP renews again.
    jar.store(APP, new Response(null, { headers: forced.headers }));
    const next = await auth.getAccessToken(requestWith(jar, `${APP}/account`));
    expect(tokenRequests()).toBe(3);
    expect(next.accessToken).not.toBe(forced.accessToken);
  });
});

describe("getAccessToken when the IdP refuses the refresh token", () => {
  it("sends the user to log in, back to the same page, and deletes the session cookie", async () => {
    const { jar, session } = await signedIn();
    // The user logs out at the IdP (its own logout page): the IdP ends the grant the refresh token belongs to.
    const logoutUrl = `${idp.issuer("demo")}/protocol/openid-connect/logout?${new URLSearchParams({
      id_token_hint: session.idToken,
    })}`;
    const page = await follow(jar, await browse(jar, logoutUrl), logoutUrl, idp.url);
    expect(page.html).toContain("Logging out");
    await continueIdpLogout(jar, page, idp.url);
    idp.clearRequests();

    const thrown: unknown = await auth.getAccessToken(requestWith(jar, `${APP}/account?tab=api`)).catch((e) => e);

    expect(tokenRequests()).toBe(1);
    expect(thrown).toBeInstanceOf(Response);
    const redirect = thrown as Response;
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("Location")).toBe("/login?returnTo=%2Faccount%3Ftab%3Dapi");
    expect(redirect.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=;.*Max-Age=0/));
    jar.store(APP, redirect);
    expect(jar.names(APP)).not.toContain("__session");
    expect(await auth.getUser(requestWith(jar, `${APP}/`))).toBeNull();
    expect(log.lines).toContainEqual(expect.objectContaining({ event: "token_refresh", outcome: "session_ended" }));
  });
});

describe("fetchUserinfo when the userinfo call fails after a renewal", () => {
  it("returns the failure with the renewed session cookie, so the rotated refresh token reaches the browser", async () => {
    // The provider's userinfo endpoint failing (a 5xx, say), while its token endpoint renews as usual.
    class UserinfoDown<User> extends KeycloakStrategy<User> {
      override async userinfo(): Promise<never> {
        throw new AuthError("idp_unreachable", "userinfo: HTTP 503");
      }
    }
    const failing = createAuth(auth.config, {
      framework: remix,
      log,
      strategies: { demo: (options, verify) => new UserinfoDown(options, verify) },
    });
    try {
      const jar = new CookieJar();
      expect((await logInInProcess(failing, jar, { app: APP, idp: idp.url })).status).toBe(302);
      const before = (await sessionIn(jar, APP))!;
      idp.clearRequests();

      const { userinfo, error, headers } = await failing.fetchUserinfo(requestWith(jar, `${APP}/account`));
      expect(userinfo).toBeNull();
      expect(error?.code).toBe("idp_unreachable");
      expect(tokenRequests()).toBe(1);
      const renewed = await sessionSetBy(headers);
      expect(renewed?.tokens?.refreshToken).toEqual(expect.any(String));
      expect(renewed?.tokens?.refreshToken).not.toBe(before.tokens?.refreshToken);
    } finally {
      await failing.close();
    }
  });
});
