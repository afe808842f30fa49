import { createHash } from "node:crypto";
import type { UserInfoResponse } from "oauth4webapi";
import { getProvider } from "../providers/registry.server";
import { getConfig } from "../core/config.server";
import { authErrorResponse } from "../http/error-response.server";
import { AuthError } from "../core/errors";
import { logAuthEvent } from "../core/log.server";
import { refreshAcrossInstances } from "./refresh-coordination.server";
import {
  commitAuthSession,
  destroyAuthSession,
  getIdTokenClaims,
  loginRedirect,
  requireAuthSession,
  type AuthSessionData,
} from "../session/session.server";
import { needsRefresh, sessionTokens, type SessionTokens } from "../session/token-set";

/**
 * What a route needs to call an API as the user: the access token, and the
 * `Set-Cookie` headers to send with its response (the renewed tokens, when it
 * was renewed; empty otherwise). The same object for every call in one request.
 */
export interface AccessToken {
  accessToken: string;
  /** Seconds since the epoch, when the provider said. */
  expiresAt?: number;
  headers: Headers;
}

/** This request's session and tokens, and the headers that commit them. */
interface Current {
  session: AuthSessionData;
  tokens: SessionTokens;
  headers: Headers;
}
const perRequest = new WeakMap<Request, Promise<Current>>();

/**
 * The signed-in user's access token: the session's while it has more than
 * 30 s left, otherwise renewed with the refresh token (once per session, however
 * many requests ask at the same time) and committed to the session.
 * `forceRefresh`: renew it now (an API refused it). Throws a redirect to login
 * (the session ended at the provider, or there is none), or an error page: 503
 * when the provider is unreachable (the session is kept), `tokens_unavailable`
 * when the session could not keep tokens.
 */
export async function getAccessToken(request: Request, { forceRefresh = false } = {}): Promise<AccessToken> {
  let current = perRequest.get(request);
  if (!current || forceRefresh) {
    const previous = current ?? loadTokens(request);
    current = forceRefresh ? previous.then((known) => renew(request, known, known.tokens.accessToken)) : previous;
    perRequest.set(request, current);
  }
  const { tokens, headers } = await current;
  return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, headers };
}

/**
 * The provider's userinfo endpoint called with the access token: an API
 * protected by it. When the API refuses the token (it was revoked), the token
 * is renewed once and the call repeated; a provider that refuses the renewal
 * too ended the session, and the user is sent to log in.
 */
export async function fetchUserinfo(request: Request): Promise<{ userinfo: UserInfoResponse; headers: Headers }> {
  const { user } = await requireAuthSession(request);
  let { accessToken, headers } = await getAccessToken(request);
  const strategy = await strategyOf(user.realm, headers);
  let userinfo = await strategy.userinfo(accessToken, user.sub);
  if (userinfo === null) {
    ({ accessToken, headers } = await getAccessToken(request, { forceRefresh: true }));
    userinfo = await strategy.userinfo(accessToken, user.sub);
    if (userinfo === null)
      throw new AuthError("token_exchange_failed", "userinfo refused a freshly renewed access token");
  }
  return { userinfo, headers };
}

async function loadTokens(request: Request): Promise<Current> {
  const session = await requireAuthSession(request);
  const { tokens } = session;
  // A session made before the app kept tokens: a new login brings them.
  if (tokens === undefined) throw await endSession(request, "session without tokens");
  if (tokens === null) throw authErrorResponse(new AuthError("tokens_unavailable", "session kept without tokens"));
  const current = { session, tokens, headers: new Headers() };
  return needsRefresh(tokens, Date.now() / 1000) ? renew(request, current, undefined) : current;
}

/** New tokens for this session, committed: `headers` then carry its new cookies. */
async function renew(
  request: Request,
  { session, tokens, headers }: Current,
  refused: string | undefined,
): Promise<Current> {
  const { user } = session;
  if (!tokens.refreshToken) throw await endSession(request, "access token expired and no refresh token");
  const strategy = await strategyOf(user.realm, headers);
  let fresh: SessionTokens;
  try {
    const onStoreError = (error: unknown) =>
      logAuthEvent(request, "session_store_error", {
        realm: user.realm,
        sub: user.sub,
        outcome: "renewed_locally",
        detail: String(error),
      });
    const { aud, azp, auth_time } = getIdTokenClaims(session);
    const login = { sub: user.sub, aud, azp: typeof azp === "string" ? azp : undefined, auth_time };
    const refresh = () => strategy.refresh(tokens.refreshToken!, login);
    fresh = await refreshOnce(user.realm, tokens, refused, refresh, onStoreError);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    // One line says why: endSession's.
    if (error.code === "session_ended") throw await endSession(request, error.detail);
    logAuthEvent(request, "token_refresh", {
      realm: user.realm,
      sub: user.sub,
      outcome: "failure",
      code: error.code,
      detail: error.detail,
    });
    throw authErrorResponse(error, headers);
  }
  const renewed = { ...session, tokens: fresh };
  const committed = await commitAuthSession(request, renewed).catch((error: unknown) => {
    throw error instanceof AuthError ? authErrorResponse(error, headers) : error;
  });
  headers.delete("Set-Cookie");
  for (const cookie of committed.getSetCookie()) headers.append("Set-Cookie", cookie);
  logAuthEvent(request, "token_refresh", { realm: user.realm, sub: user.sub, outcome: "success" });
  return { session: renewed, tokens: fresh, headers };
}

/** The provider refused to renew the tokens: the app session ends too, and the user logs in again, then comes back here. */
async function endSession(request: Request, detail: string): Promise<Response> {
  const session = await requireAuthSession(request);
  logAuthEvent(request, "token_refresh", {
    realm: session.user.realm,
    sub: session.user.sub,
    outcome: "session_ended",
    detail,
  });
  return loginRedirect(request, await destroyAuthSession(request));
}

export async function strategyOf(realm: string, headers: Headers) {
  const provider = getProvider(realm);
  if (!provider)
    throw authErrorResponse(new AuthError("unknown_provider", `session of an unconfigured provider ${realm}`), headers);
  try {
    return await provider.strategy();
  } catch (error) {
    if (error instanceof AuthError) throw authErrorResponse(error, headers);
    throw error;
  }
}

/**
 * Refreshes in flight or just done, by provider and refresh token. Requests of
 * one session that arrive together share one refresh; requests still carrying
 * the old cookie shortly after get its result too, instead of sending the
 * rotated-away refresh token again (which Keycloak and oidc-provider treat as
 * a stolen token, ending the whole session). With REDIS_URL, across instances too.
 */
const refreshes = new Map<string, { result: Promise<SessionTokens>; settledAt?: number }>();
const KEEP_RESULT_MS = 60_000;
const MAX_KEPT = 10_000;

function refreshOnce(
  realm: string,
  tokens: SessionTokens,
  refused: string | undefined,
  refresh: () => Promise<{ access_token: string; refresh_token?: string; expires_in?: number }>,
  onStoreError: (error: unknown) => void,
): Promise<SessionTokens> {
  sweep();
  const key = `${realm}:${createHash("sha256").update(tokens.refreshToken!).digest("base64url")}`;
  const known = refreshes.get(key);
  // Reused unless this request's API just refused the very token that refresh gave.
  if (known) {
    const reuse = known.result.then((fresh) => (fresh.accessToken === refused ? null : fresh));
    return reuse.then((fresh) => fresh ?? start());
  }
  return start();

  function start() {
    const run = () => refresh().then((response) => sessionTokens(response, Date.now() / 1000, tokens));
    const { redisUrl, sessionSecrets: secrets, idpTimeoutMs } = getConfig();
    const entry: { result: Promise<SessionTokens>; settledAt?: number } = {
      // With several instances (REDIS_URL), once across all of them.
      result: redisUrl ? refreshAcrossInstances(key, run, { secrets, waitMs: 2 * idpTimeoutMs, onStoreError }) : run(),
    };
    refreshes.set(key, entry);
    entry.result.then(
      () => (entry.settledAt = Date.now()),
      (error: unknown) => {
        entry.settledAt = Date.now();
        // Only a refused refresh token is final; after a network failure the next request tries again.
        if (!(error instanceof AuthError && error.code === "session_ended")) refreshes.delete(key);
      },
    );
    return entry.result;
  }
}

function sweep() {
  const now = Date.now();
  for (const [key, entry] of refreshes) {
    if (entry.settledAt !== undefined && now - entry.settledAt > KEEP_RESULT_MS) refreshes.delete(key);
  }
  while (refreshes.size >= MAX_KEPT) refreshes.delete(refreshes.keys().next().value!);
}
