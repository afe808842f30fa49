import { decodeJwt, type JWTPayload } from "jose";
import { orderedNow } from "../core/clock";
import { AuthError } from "../core/errors";
import { redirectResponse } from "../http/framework";
import type { LoadedSession, SessionContext } from "./context.server";
import { revocationKeys, revocationScope } from "./revocation.server";
import {
  chunkIndex,
  chunksSize,
  cookieChunks,
  cookieDeletion,
  cookieName,
  decryptSession,
  hasSessionIdCookie,
  MAX_CHUNKS,
  presentChunkNames,
  remainingSeconds,
  SESSION_COOKIE_BUDGET,
  setCookieChunks,
} from "./session-cookie.server";
import { fromStored, sessionId, toStored, type AuthSessionData, type SessionUser } from "./session-data.server";
import { sessionIdCookieName, type RedisSession } from "./session-redis.server";

export { SESSION_COOKIE_BUDGET } from "./session-cookie.server";
export { sessionId, type AuthSessionData, type SessionUser } from "./session-data.server";

function loadSession(ctx: SessionContext, request: Request): Promise<LoadedSession | null> {
  let loaded = ctx.loaded.get(request);
  if (!loaded) {
    loaded = readSession(ctx, request);
    ctx.loaded.set(request, loaded);
  }
  return loaded;
}

/**
 * The request's valid session, or `null` (none, tampered, expired, malformed, or ended by a back-channel logout).
 * Throws an AuthError `session_store_unavailable` when the session is in Redis and Redis cannot be reached
 * (the session is kept).
 */
export async function getAuthSession(ctx: SessionContext, request: Request): Promise<AuthSessionData | null> {
  return (await loadSession(ctx, request))?.session ?? null;
}

export async function getUser(ctx: SessionContext, request: Request): Promise<SessionUser | null> {
  return (await getAuthSession(ctx, request))?.user ?? null;
}

/** The signed-in session, or a thrown redirect to login that comes back to this page. */
export async function requireAuthSession(ctx: SessionContext, request: Request): Promise<AuthSessionData> {
  const session = await getAuthSession(ctx, request);
  if (session) return session;
  throw loginRedirect(request, await staleAuthSessionHeaders(ctx, request));
}

/** The redirect to login that comes back to this page, with `headers` (e.g. the session's deletion). */
export function loginRedirect(request: Request, headers: Headers): Response {
  const url = new URL(request.url);
  return redirectResponse(`/login?${new URLSearchParams({ returnTo: url.pathname + url.search })}`, headers);
}

/**
 * `Set-Cookie` headers deleting session cookies that hold no valid session, and
 * chunks past the budget (left by older versions), so no browser stays stuck
 * with cookies the app cannot read. None when all is well.
 */
export async function staleAuthSessionHeaders(ctx: SessionContext, request: Request): Promise<Headers> {
  const present = presentChunkNames(ctx, request);
  if (present.length === 0 && !hasSessionIdCookie(ctx, request)) return new Headers();
  if (!(await getAuthSession(ctx, request))) return destroyAuthSessionHeaders(ctx, request);
  const headers = new Headers();
  for (const name of present.filter((name) => chunkIndex(ctx, name) >= MAX_CHUNKS)) {
    headers.append("Set-Cookie", cookieDeletion(ctx, name));
  }
  return headers;
}

/** The ID token's claims, for display; the token was validated when the session was created. */
export function getIdTokenClaims(session: AuthSessionData): JWTPayload {
  try {
    return decodeJwt(session.idToken);
  } catch {
    return {};
  }
}

/**
 * Starts a session and redirects to `returnTo`; `headers` (e.g. cookie clean-up) are sent along.
 * The session goes in the encrypted cookie when it fits {@link SESSION_COOKIE_BUDGET}, else in Redis
 * (`REDIS_URL`), else without its tokens; throws `session_too_large` when even that does not fit.
 */
export async function createAuthSession(
  ctx: SessionContext,
  request: Request,
  data: Omit<AuthSessionData, "createdAt">,
  returnTo: string,
  headers: Headers = new Headers(),
): Promise<Response> {
  const session: AuthSessionData = { ...data, createdAt: orderedNow() };
  // Never the id of a session the browser brought along (session fixation): a new record, and the old one gone.
  if (hasSessionIdCookie(ctx, request)) void deleteRedisSession(ctx, request);
  await writeSession(ctx, request, session, null, headers);
  headers.set("Location", returnTo);
  return new Response(null, { status: 302, headers });
}

/**
 * Saves a changed session (new tokens) where the request's session lives;
 * returns the `Set-Cookie` headers to send with the response.
 */
export async function commitAuthSession(
  ctx: SessionContext,
  request: Request,
  session: AuthSessionData,
): Promise<Headers> {
  const headers = new Headers();
  const loaded = await loadSession(ctx, request);
  await writeSession(ctx, request, session, loaded?.redis ?? null, headers);
  return headers;
}

async function writeSession(
  ctx: SessionContext,
  request: Request,
  session: AuthSessionData,
  redisSession: RedisSession | null,
  headers: Headers,
) {
  if (ctx.config.sessionStore === "cookie" && !redisSession) {
    const chunks = await cookieChunks(ctx, session);
    if (chunksSize(ctx, chunks) <= SESSION_COOKIE_BUDGET)
      return setCookieChunks(ctx, request, session, chunks, headers);
    if (!ctx.redisSessions) {
      // No server-side store: the identity is kept and the tokens left out, so every page that calls
      // no API works as before; those that do say why (`tokens_unavailable`) instead of looping to login.
      const withoutTokens = await cookieChunks(ctx, { ...session, tokens: null });
      const size = chunksSize(ctx, withoutTokens);
      if (size > SESSION_COOKIE_BUDGET) {
        throw new AuthError(
          "session_too_large",
          `session cookies would take ${size} bytes, the budget is ${SESSION_COOKIE_BUDGET}`,
        );
      }
      if (session.tokens) {
        ctx.log(request, "session_tokens_dropped", {
          realm: session.user.realm,
          sub: session.user.sub,
          outcome: "cookie_over_budget",
          detail: `${chunksSize(ctx, chunks)} bytes with tokens`,
        });
      }
      return setCookieChunks(ctx, request, session, withoutTokens, headers);
    }
  }
  await writeRedisSession(ctx, session, redisSession, headers);
  for (const name of presentChunkNames(ctx, request)) headers.append("Set-Cookie", cookieDeletion(ctx, name));
}

async function writeRedisSession(
  ctx: SessionContext,
  session: AuthSessionData,
  existing: RedisSession | null,
  headers: Headers,
) {
  const storage = ctx.redisSessions!;
  try {
    const record = existing ?? (await storage.getSession(null));
    record.set("auth", toStored(session));
    headers.append("Set-Cookie", await storage.commitSession(record, { maxAge: remainingSeconds(ctx, session) }));
  } catch (error) {
    throw new AuthError("session_store_unavailable", `redis: ${String(error)}`, { cause: error });
  }
}

/**
 * `Set-Cookie` headers that delete every session cookie the request carries (at least the first).
 * A Redis record the request names is deleted in the background: use {@link destroyAuthSession} to wait for it.
 */
export function destroyAuthSessionHeaders(ctx: SessionContext, request: Request): Headers {
  if (hasSessionIdCookie(ctx, request)) void deleteRedisSession(ctx, request);
  return sessionCookieDeletions(ctx, request);
}

/** Ends the request's session: its Redis record deleted (when it has one), and the headers that delete its cookies. */
export async function destroyAuthSession(ctx: SessionContext, request: Request): Promise<Headers> {
  if (hasSessionIdCookie(ctx, request)) await deleteRedisSession(ctx, request);
  return sessionCookieDeletions(ctx, request);
}

function sessionCookieDeletions(ctx: SessionContext, request: Request): Headers {
  const headers = new Headers();
  const names = new Set([cookieName(ctx), ...presentChunkNames(ctx, request)]);
  if (hasSessionIdCookie(ctx, request)) names.add(sessionIdCookieName(ctx.config.secureCookies));
  for (const name of names) headers.append("Set-Cookie", cookieDeletion(ctx, name));
  return headers;
}

/** Deletes the Redis record the request's id cookie names; a failure is logged (the record still expires). */
async function deleteRedisSession(ctx: SessionContext, request: Request): Promise<void> {
  const storage = ctx.redisSessions;
  if (!storage) return;
  try {
    await storage.destroySession(await storage.getSession(request.headers.get("Cookie")));
  } catch (error) {
    ctx.log(request, "session_store_error", { realm: "-", outcome: "record_kept", detail: String(error) });
  }
}

async function readSession(ctx: SessionContext, request: Request): Promise<LoadedSession | null> {
  const fromCookie = await decryptSession(ctx, request);
  const loaded = fromCookie ? { session: fromCookie, redis: null } : await readRedisSession(ctx, request);
  if (!loaded) return null;
  const { session } = loaded;
  const keys = revocationKeys(revocationScope(ctx.config, session.user.realm), {
    sid: sessionId(session),
    sub: session.user.sub,
  });
  try {
    const revokedAt = await ctx.revocations.revokedAt(keys);
    return revokedAt !== null && session.createdAt <= revokedAt ? null : loaded;
  } catch (error) {
    // Availability over a revocation we cannot read: the session lives on, and the log says why.
    ctx.log(request, "revocation_store_error", {
      realm: session.user.realm,
      outcome: "session_kept",
      detail: String(error),
    });
    return loaded;
  }
}

async function readRedisSession(ctx: SessionContext, request: Request): Promise<LoadedSession | null> {
  const storage = ctx.redisSessions;
  if (!storage || !hasSessionIdCookie(ctx, request)) return null;
  let record: RedisSession;
  try {
    record = await storage.getSession(request.headers.get("Cookie"));
  } catch (error) {
    // Not "no session": that would delete the browser's cookie and log everyone out at every Redis hiccup.
    ctx.log(request, "session_store_error", { realm: "-", outcome: "unavailable", detail: String(error) });
    throw new AuthError("session_store_unavailable", String(error), { cause: error });
  }
  const session = fromStored(record.get("auth"));
  if (!session || session.createdAt + ctx.config.sessionMaxAge <= Date.now() / 1000) return null;
  return { session, redis: record };
}
