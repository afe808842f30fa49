// The dev IdP as the dev-idp-*.test.ts files drive it: one IdP per file with
// its realms and clients, a receiver for back-channel logouts, and a
// browser-less client that logs in and out the way the app does.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, expect } from "vitest";

import { startIdp } from "../../dev/idp/index.js";
import { browse, CookieJar, follow, formOf } from "./browserless";

export const APP = "http://localhost:3000";
export const CLIENT_ID = "remix-app";
export const CLIENT_SECRET = "test-secret";
export const POST_LOGOUT = `${APP}/`;
export const redirectUri = (realm: string) => `${APP}/auth/${realm}/callback`;

export type Idp = Awaited<ReturnType<typeof startIdp>>;
export let idp: Idp;

/** Back-channel logout POSTs received by the test's own "clients", by path. */
export type Received = { path: string; contentType: string | undefined; logoutToken: string | null };
export const received: Received[] = [];
let receiver: http.Server;
export let receiverUrl: string;
/** Responses to /slow-app held back until the test releases them. */
export const heldResponses: http.ServerResponse[] = [];
/** A loopback URL where nothing listens: a client that is down. */
export let downUrl: string;

export async function listen(server: http.Server) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export const closeServer = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** Starts the IdP (and the test's back-channel receiver) before this file's tests, and stops them after. */
export function useDevIdp(): void {
  beforeAll(async () => {
    receiver = http.createServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      received.push({
        path: req.url!,
        contentType: req.headers["content-type"],
        logoutToken: new URLSearchParams(body).get("logout_token"),
      });
      if (req.url === "/slow-app") heldResponses.push(res);
      else res.writeHead(200).end();
    });
    receiverUrl = await listen(receiver);
    const unused = http.createServer();
    downUrl = `${await listen(unused)}/down-app`;
    await closeServer(unused);

    const clients = (realm: string) => [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [redirectUri(realm)],
        postLogoutRedirectUris: [POST_LOGOUT],
      },
    ];
    const publicClient = { clientId: "public-app", redirectUris: [redirectUri("other")], postLogoutRedirectUris: [] };
    const backchannelClient = (clientId: string, backchannelLogoutUri?: string) => ({
      clientId,
      redirectUris: [redirectUri("backchannel")],
      postLogoutRedirectUris: [],
      backchannelLogoutUri,
    });
    idp = await startIdp({
      realms: {
        demo: { clients: clients("demo") },
        other: { clients: [...clients("other"), publicClient] },
        nologout: { clients: clients("nologout"), endSession: false },
        rotating: { clients: clients("rotating") },
        backchannel: {
          clients: [
            { ...clients("backchannel")[0]!, backchannelLogoutUri: `${receiverUrl}/remix-app` },
            backchannelClient("second-app", `${receiverUrl}/second-app`),
            backchannelClient("slow-app", `${receiverUrl}/slow-app`),
            backchannelClient("down-app", downUrl),
            backchannelClient("plain-app"),
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await idp?.close();
    if (receiver) await closeServer(receiver);
  });
}

/** Follows redirects within the IdP; stops at a page (non-3xx) or at a redirect out of the IdP. */
export const followInIdp = (jar: CookieJar, response: Response, from: string) => follow(jar, response, from, idp.url);

export { until } from "./until";

export const jwksOf = (realm: string) =>
  createRemoteJWKSet(new URL(`${idp.issuer(realm)}/protocol/openid-connect/certs`));
export const fetchJwks = async (realm: string) =>
  (await (await fetch(`${idp.issuer(realm)}/protocol/openid-connect/certs`)).json()) as { keys: { kid: string }[] };

export function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** Starts an authorization request; ends at the app's redirect URI or at an IdP page. */
export async function authorize(jar: CookieJar, realm: string, params: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: "code",
    scope: "openid profile email",
    redirect_uri: redirectUri(realm),
    state: randomBytes(8).toString("hex"),
    nonce: randomBytes(8).toString("hex"),
    code_challenge: challenge,
    code_challenge_method: "S256",
    ...params,
  });
  const start = `${idp.issuer(realm)}/protocol/openid-connect/auth?${query}`;
  return { verifier, nonce: query.get("nonce")!, ...(await followInIdp(jar, await browse(jar, start), start)) };
}

export async function submitLogin(jar: CookieJar, html: string, pageUrl: string, username: string, password: string) {
  const { action } = formOf(html, pageUrl);
  return followInIdp(jar, await browse(jar, action, { form: { username, password } }), action);
}

export async function exchangeCode(realm: string, callbackUrl: string, verifier: string) {
  const code = new URL(callbackUrl).searchParams.get("code");
  expect(code).toBeTruthy();
  const response = await fetch(`${idp.issuer(realm)}/protocol/openid-connect/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: code!,
      redirect_uri: redirectUri(realm),
      code_verifier: verifier,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { id_token: string; access_token: string; refresh_token?: string };
}

/** Logs a user in with a fresh browser; returns the browser and the verified tokens. */
export async function signIn(realm: string, username: string, password: string) {
  const jar = new CookieJar();
  const start = await authorize(jar, realm);
  expect(start.html).toContain("Sign in to your account");
  const done = await submitLogin(jar, start.html!, start.url, username, password);
  expect(done.url.startsWith(`${redirectUri(realm)}?`)).toBe(true);
  const tokens = await exchangeCode(realm, done.url, start.verifier);
  const { payload } = await jwtVerify(tokens.id_token, jwksOf(realm), {
    issuer: idp.issuer(realm),
    audience: CLIENT_ID,
  });
  expect(payload.nonce).toBe(start.nonce);
  return { jar, tokens, claims: payload };
}

export function logoutUrl(realm: string, params: Record<string, string>) {
  return `${idp.issuer(realm)}/protocol/openid-connect/logout?${new URLSearchParams(params)}`;
}

/** True when the browser's IdP session is alive: authorization completes without a login form. */
export async function hasSession(jar: CookieJar, realm: string) {
  const result = await authorize(jar, realm);
  if (result.url.startsWith(redirectUri(realm))) return true;
  expect(result.html).toContain("Sign in to your account");
  return false;
}
