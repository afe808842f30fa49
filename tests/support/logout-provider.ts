// The logout half of an OpenID provider, added to a hostile provider
// (./hostile-provider.ts) through its discovery document: an end-session
// endpoint that comes back with whatever `state` a test makes it send, and a
// back-channel logout that sends whatever logout token a test makes, as the
// OpenID Foundation's logout test modules do. Real HTTP on loopback.
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, type JWTPayload } from "jose";
import { expect } from "vitest";
import { freePort, startApp, type RunningApp } from "./app";
import { browse, follow, type CookieJar } from "./browserless";
import { startHostileProvider, type HostileProvider } from "./hostile-provider";
import { BACKCHANNEL_LOGOUT_EVENT } from "~/auth/protocol/logout-token.server";
import { sessionIn } from "./login";

/** What the app answered to a logout token. */
export interface Delivery {
  status: number;
  cacheControl: string | null;
  body: unknown;
}

export interface LogoutProvider {
  endSessionEndpoint: string;
  /** The parameters of every request the end-session endpoint received, in order. */
  endSessionRequests: Record<string, string>[];
  /** The logout token sent to the app during a logout, before the browser is sent back; none when undefined. */
  logoutToken: () => Promise<string | undefined>;
  /** The `state` the browser is sent back with, given the app's; none when undefined. */
  stateBack: (state: string) => string | undefined;
  /** The app's answer to every logout token sent, in order. */
  deliveries: Delivery[];
  /**
   * Signs a valid logout token about user-1 with the provider's key: `claims`
   * replace the defaults, a claim set to undefined is left out.
   */
  signLogoutToken(claims?: JWTPayload, options?: { key?: CryptoKey; kid?: string; alg?: string }): Promise<string>;
  /** An ES256 key the provider publishes in its JWKS (kid "es1") but does not sign with (it announces RS256 only). */
  unusedKey: CryptoKey;
  close(): Promise<void>;
}

/**
 * Gives `provider` an end-session endpoint and a back-channel logout to
 * `backchannelLogoutUri`; call it before the app first reads the discovery document.
 * With `frontchannelLogoutUri`, the end-session endpoint answers a page that frames
 * that URI with `iss` and the hint's `sid` (Front-Channel Logout 1.0, 4) and links
 * back, as the OpenID Foundation's front-channel modules do.
 */
export async function addLogout(
  provider: HostileProvider,
  { backchannelLogoutUri, frontchannelLogoutUri }: { backchannelLogoutUri: string; frontchannelLogoutUri?: string },
): Promise<LogoutProvider> {
  // Published in the provider's own JWKS, never used by it to sign.
  const unusedKey = await provider.newKey({ alg: "ES256", kid: "es1" });
  provider.jwks.push(unusedKey.jwk);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/logout") {
      res.statusCode = 404;
      return res.end();
    }
    let body = "";
    for await (const chunk of req) body += chunk;
    const params = Object.fromEntries(req.method === "POST" ? new URLSearchParams(body) : url.searchParams);
    logout.endSessionRequests.push(params);
    const token = await logout.logoutToken();
    if (token !== undefined) logout.deliveries.push(await deliver(backchannelLogoutUri, token));
    if (!params.post_logout_redirect_uri) return res.end("You are logged out");
    const back = new URL(params.post_logout_redirect_uri);
    const state = params.state === undefined ? undefined : logout.stateBack(params.state);
    if (state !== undefined) back.searchParams.set("state", state);
    if (frontchannelLogoutUri && params.id_token_hint) {
      const frame = new URL(frontchannelLogoutUri);
      frame.searchParams.set("iss", provider.issuer);
      frame.searchParams.set("sid", String(decodeJwt(params.id_token_hint).sid));
      res.writeHead(200, { "Content-Type": "text/html" });
      return res.end(`<iframe src="${frame.href}"></iframe><a id="continue" href="${back.href}">Continue</a>`);
    }
    res.writeHead(302, { Location: back.href });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logout: LogoutProvider = {
    endSessionEndpoint: `${origin}/logout`,
    endSessionRequests: [],
    logoutToken: () => logout.signLogoutToken(),
    stateBack: (state) => state,
    deliveries: [],
    signLogoutToken: (claims = {}, options) => {
      const now = Math.floor(Date.now() / 1000);
      const defaults = {
        name: undefined,
        exp: now + 120,
        jti: randomUUID(),
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      };
      return provider.sign({ ...defaults, ...claims }, options);
    },
    unusedKey: unusedKey.key,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  Object.assign(provider.metadata, {
    end_session_endpoint: logout.endSessionEndpoint,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: false,
    ...(frontchannelLogoutUri && { frontchannel_logout_supported: true, frontchannel_logout_session_supported: true }),
  });
  return logout;
}

/** POSTs the logout token as a provider does (OpenID Connect Back-Channel Logout 1.0, 2.5). */
async function deliver(uri: string, logoutToken: string): Promise<Delivery> {
  const response = await fetch(uri, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ logout_token: logoutToken }),
    redirect: "manual",
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, cacheControl: response.headers.get("cache-control"), body };
}

/** The app's realm demo served by a hostile provider with the logout half above. */
export interface LogoutStack {
  provider: HostileProvider;
  logout: LogoutProvider;
  rp: RunningApp;
  /** Every ID token the provider issued at login, in order. */
  idTokens: string[];
  stop(): Promise<void>;
}

/**
 * The provider signs user-1 in at once, with an ID token without `sid`: its
 * logout tokens then name the user by `sub` (Back-Channel Logout 1.0, 2.4),
 * which ends every session of that user the app holds, not only the one the
 * app's own logout has already ended. With `frontchannel`, each login is a
 * provider session of its own, with a new `sid`, and logouts are framed.
 */
export async function startLogoutStack({ frontchannel = false } = {}): Promise<LogoutStack> {
  const provider = await startHostileProvider({ path: "/realms/demo" });
  const idTokens: string[] = [];
  provider.idToken = async (nonce) => {
    idTokens.push(await provider.sign({ nonce, ...(frontchannel && { sid: randomUUID() }) }));
    return idTokens.at(-1)!;
  };
  provider.userinfo = { sub: "user-1", name: "A User" };
  const port = await freePort();
  const logout = await addLogout(provider, {
    backchannelLogoutUri: `http://localhost:${port}/auth/demo/backchannel-logout`,
    ...(frontchannel && { frontchannelLogoutUri: `http://localhost:${port}/auth/demo/frontchannel-logout` }),
  }).catch(async (error: unknown) => {
    await provider.close();
    throw error;
  });
  try {
    const env = { KEYCLOAK_URL: new URL(provider.issuer).origin, KEYCLOAK_REALM: "demo" };
    const rp = await startApp({ port, env });
    return {
      provider,
      logout,
      rp,
      idTokens,
      async stop() {
        await rp.stop();
        await logout.close();
        await provider.close();
      },
    };
  } catch (error) {
    await logout.close();
    await provider.close();
    throw error;
  }
}

/** Logs user-1 in; the jar then holds the session. */
export async function logIn(jar: CookieJar, { provider, rp }: LogoutStack): Promise<void> {
  const login = await browse(jar, `${rp.url}/auth/demo/login?returnTo=%2Faccount`);
  const { url } = await follow(jar, login, rp.url, provider.issuer);
  const callback = await browse(jar, url);
  expect(callback.headers.get("location")).toBe("/account");
  expect((await sessionIn(jar, rp.url))!.user.sub).toBe("user-1");
}

/**
 * The user's "Log out": the app's redirect to the end-session endpoint, the
 * provider's answer. Returns what that endpoint received and where the
 * provider sends the browser back (not visited).
 */
export async function logOut(
  jar: CookieJar,
  { logout, rp }: LogoutStack,
): Promise<{ endSession: Record<string, string>; back: string }> {
  const seen = logout.endSessionRequests.length;
  const response = await browse(jar, `${rp.url}/logout`, { form: {} });
  expect(response.status).toBe(302);
  expect(response.headers.get("location")!.startsWith(`${logout.endSessionEndpoint}?`)).toBe(true);
  const { url: back } = await follow(jar, response, rp.url, logout.endSessionEndpoint);
  expect(logout.endSessionRequests).toHaveLength(seen + 1);
  return { endSession: logout.endSessionRequests.at(-1)!, back };
}

/** What `/account` shows this jar: 200 with the page when signed in, the redirect to login otherwise. */
export async function openAccount(jar: CookieJar, { rp }: LogoutStack) {
  const response = await browse(jar, `${rp.url}/account`);
  return { status: response.status, location: response.headers.get("location"), text: await response.text() };
}

/** The app's log lines of `event` written since `from` (an offset in its output), parsed. */
export function logLines(rp: RunningApp, from: number, event: string): Record<string, unknown>[] {
  return rp
    .output()
    .slice(from)
    .split("\n")
    .filter((line) => line.includes(`"event":"${event}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
