import { AuthError } from "../core/errors";
import {
  commitAuthSession,
  destroyAuthSession,
  getIdTokenClaims,
  loginRedirect,
  requireAuthSession,
  type AuthSessionData,
} from "../session/session.server";
import { checkDue, needsRefresh } from "../session/token-set";
import { CHECK_RETRY_SECONDS, type CurrentTokens, type TokenContext } from "./context.server";
import { refreshOnce } from "./refresh-once.server";

/**
 * What a route needs to call an API as the user: the access token, how to present it, and the
 * `Set-Cookie` headers to send with its response (the renewed tokens, when it
 * was renewed; empty otherwise).
 */
export interface AccessToken {
  accessToken: string;
  /** `DPoP`: bound to the session's key (the provider's `dpop`); every request with it needs its own proof. */
  tokenType: "Bearer" | "DPoP";
  /** Seconds since the epoch, when the provider said. */
  expiresAt?: number;
  headers: Headers;
  /**
   * The headers that present the token in one request to an API: `Authorization`, and for a DPoP token a proof
   * of that method and URL (`nonce`: the one the API asked for in a `DPoP-Nonce` header).
   * @example fetch(url, { headers: await token.authorization("GET", url) })
   */
  authorization(
    method: string,
    url: string | URL,
    options?: { nonce?: string },
  ): Promise<Partial<Record<"Authorization" | "DPoP", string>>>;
}

/**
 * The signed-in user's access token: the session's while it has more than
 * 30 s left and the session's check is not due (`sessionCheckInterval`), otherwise
 * renewed with the refresh token (once per session, however many requests ask at
 * the same time) and committed to the session.
 * `forceRefresh`: renew it now (an API refused it). Throws a redirect to login
 * (the session ended at the provider, or there is none), or an AuthError:
 * `idp_unreachable` when the provider is unreachable (the session is kept),
 * `tokens_unavailable` when the session could not keep tokens.
 */
export async function getAccessToken(
  ctx: TokenContext,
  request: Request,
  { forceRefresh = false } = {},
): Promise<AccessToken> {
  let current = currentTokens(ctx, request);
  if (forceRefresh) {
    current = current.then((known) => renew(ctx, request, known, known.tokens.accessToken));
    ctx.currentTokens.set(request, current);
  }
  const { session, tokens, headers } = await current;
  const { accessToken, expiresAt, dpopKey } = tokens;
  const authorization: AccessToken["authorization"] = async (method, url, { nonce } = {}) => {
    if (!dpopKey) return { Authorization: `Bearer ${accessToken}` };
    const signer = await (await strategyOf(ctx, session.user.realm, headers)).dpopSigner(dpopKey);
    return { Authorization: `DPoP ${accessToken}`, DPoP: await signer.proof(method, url, accessToken, nonce) };
  };
  return { accessToken, tokenType: dpopKey ? "DPoP" : "Bearer", expiresAt, headers, authorization };
}

/** This request's session and tokens: renewed when due or when the session's check is ({@link checkSession}). */
export function currentTokens(ctx: TokenContext, request: Request): Promise<CurrentTokens> {
  let current = ctx.currentTokens.get(request);
  if (!current) {
    current = loadTokens(ctx, request);
    ctx.currentTokens.set(request, current);
  }
  return current;
}

/** Whether the session's next request asks the provider whether it lives (and no failed check pauses that). */
export function sessionCheckDue(ctx: TokenContext, session: AuthSessionData, nowSeconds: number): boolean {
  if (!checkDue(session.tokens, nowSeconds, ctx.config.sessionCheckInterval)) return false;
  return (ctx.checksPausedUntil.get(session.user.realm) ?? 0) <= nowSeconds;
}

/** The provider's introspection of `accessToken` (RFC 7662), asked once per token (the roles' cache). */
export function introspectOnce(
  { validatedClaims: cache }: TokenContext,
  strategy: Awaited<ReturnType<typeof strategyOf>>,
  accessToken: string,
): Promise<Record<string, unknown>> {
  const key = `introspection:${accessToken}`;
  let answer = cache.get(key);
  if (!answer) {
    answer = strategy.introspect(accessToken);
    answer.catch(() => cache.delete(key));
    cache.set(key, answer);
  }
  return answer;
}

async function loadTokens(ctx: TokenContext, request: Request): Promise<CurrentTokens> {
  const session = await requireAuthSession(ctx, request);
  const { tokens } = session;
  // A session made before the app kept tokens: a new login brings them.
  if (tokens === undefined) throw await endSession(ctx, request, "session without tokens");
  if (tokens === null) throw new AuthError("tokens_unavailable", "session kept without tokens");
  const current = { session, tokens, headers: new Headers() };
  const now = Date.now() / 1000;
  if (sessionCheckDue(ctx, session, now)) return checkSession(ctx, request, current, now);
  return needsRefresh(tokens, now) ? renew(ctx, request, current, undefined) : current;
}

/**
 * Asks the provider whether the session still lives, by renewing its tokens (the one question every provider
 * answers for a session; Keycloak also counts it as activity). Refused: the app session ends (`renew` throws
 * the redirect to login). Any other failure (the provider unreachable) keeps the session, and no check of
 * that provider is tried for {@link CHECK_RETRY_SECONDS}; the tokens are still used while they are valid.
 */
async function checkSession(ctx: TokenContext, request: Request, current: CurrentTokens, now: number) {
  try {
    return await renew(ctx, request, current, undefined);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const { realm, sub } = current.session.user;
    ctx.checksPausedUntil.set(realm, now + CHECK_RETRY_SECONDS);
    ctx.log(request, "session_check", { realm, sub, outcome: "session_kept", code: error.code });
    if (needsRefresh(current.tokens, now)) throw error;
    return current;
  }
}

/** New tokens for this session, committed: `headers` then carry its new cookies. */
async function renew(
  ctx: TokenContext,
  request: Request,
  { session, tokens, headers }: CurrentTokens,
  refused: string | undefined,
): Promise<CurrentTokens> {
  const { user } = session;
  if (!tokens.refreshToken) throw await endSession(ctx, request, "access token expired and no refresh token");
  // DPoP turned on since this login: a new one binds the tokens (the provider's session spares the password).
  const bindsTokens = ctx.config.providers.some(({ name, dpop }) => name === user.realm && dpop);
  if (bindsTokens && !tokens.dpopKey) throw await endSession(ctx, request, "DPoP is on and the tokens are not bound");
  const strategy = await strategyOf(ctx, user.realm, headers);
  const onStoreError = (error: unknown) =>
    ctx.log(request, "session_store_error", {
      realm: user.realm,
      sub: user.sub,
      outcome: "renewed_locally",
      detail: String(error),
    });
  const { aud, azp, auth_time } = getIdTokenClaims(session);
  const login = { sub: user.sub, aud, azp: typeof azp === "string" ? azp : undefined, auth_time };
  const refresh = () => strategy.refresh(tokens.refreshToken!, login, tokens.dpopKey);
  const fresh = await refreshOnce(ctx, user.realm, tokens, refused, refresh, onStoreError).catch(
    async (error: unknown) => {
      if (!(error instanceof AuthError)) throw error;
      // One line says why: endSession's.
      if (error.code === "session_ended") throw await endSession(ctx, request, error.detail);
      ctx.log(request, "token_refresh", {
        realm: user.realm,
        sub: user.sub,
        outcome: "failure",
        code: error.code,
        detail: error.detail,
      });
      throw error.withPage({ headers, providerLabel: ctx.providers.get(user.realm)?.label });
    },
  );
  const renewed = { ...session, tokens: fresh };
  const committed = await commitAuthSession(ctx, request, renewed).catch((error: unknown) => {
    throw error instanceof AuthError ? error.withPage({ headers }) : error;
  });
  headers.delete("Set-Cookie");
  for (const cookie of committed.getSetCookie()) headers.append("Set-Cookie", cookie);
  ctx.log(request, "token_refresh", { realm: user.realm, sub: user.sub, outcome: "success" });
  return { session: renewed, tokens: fresh, headers };
}

/** The provider refused to renew the tokens: the app session ends too, and the user logs in again, then comes back here. */
async function endSession(ctx: TokenContext, request: Request, detail: string): Promise<Response> {
  const session = await requireAuthSession(ctx, request);
  ctx.log(request, "token_refresh", {
    realm: session.user.realm,
    sub: session.user.sub,
    outcome: "session_ended",
    detail,
  });
  return loginRedirect(request, await destroyAuthSession(ctx, request));
}

/** The strategy of the session's provider; an AuthError (sending `headers` along) when it is gone or unreachable. */
export async function strategyOf(ctx: TokenContext, realm: string, headers: Headers) {
  const provider = ctx.providers.get(realm);
  if (!provider) throw new AuthError("unknown_provider", `session of an unconfigured provider ${realm}`, { headers });
  try {
    return await provider.strategy();
  } catch (error) {
    throw error instanceof AuthError ? error.withPage({ headers, providerLabel: provider.label }) : error;
  }
}
