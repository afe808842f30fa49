import { redirect } from "@remix-run/node";
import { decodeJwt, type JWTPayload } from "jose";
import { orderedNow } from "../core/clock";
import { getConfig } from "../core/config.server";
import { AuthError } from "../core/errors";
import { logAuthEvent } from "../core/log.server";
import { serializeCookie } from "../http/cookies.server";
import { authErrorResponse } from "../http/error-response.server";
import { getRevocationStore, revocationKeys } from "./revocation.server";
import {
  chunkIndex,
  chunksSize,
  cookieAttributes,
  cookieChunks,
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
import { redisSessionStorage, sessionIdCookieName, type RedisSession } from "./session-redis.server";

export { SESSION_COOKIE_BUDGET } from "./session-cookie.server";
export { sessionId, type AuthSessionData, type SessionUser } from "./session-data.server";

/** A session as read, and where from: the cookie, or the Redis record its id cookie names. */
interface LoadedSession {
  session: AuthSessionData;
  redis: RedisSession | null;
}
const sessions = new WeakMap<Request, Promise<LoadedSession | null>>();

function loadSession(request: Request): Promise<LoadedSession | null> {
  let loaded = sessions.get(request);
  if (!loaded) {
    loaded = readSession(request);
    sessions.set(request, loaded);
  }
  return loaded;
}

/**
 * The request's valid session, or `null` (none, tampered, expired, malformed, or ended by a back-channel logout).
 * Throws a 503 response when the session is in Redis and Redis cannot be reached (the session is kept).
 */
export async function getAuthSession(request: Request): Promise<AuthSessionData | null> {
  return (await loadSession(request))?.session ?? null;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  return (await getAuthSession(request))?.user ?? null;
}

/** The signed-in session, or a thrown redirect to login that comes back to this page. */
export async function requireAuthSession(request: Request): Promise<AuthSessionData> {
  const session = await getAuthSession(request);
  if (session) return session;
  throw loginRedirect(request, await staleAuthSessionHeaders(request));
}

/** The redirect to login that comes back to this page, with `headers` (e.g. the session's deletion). */
export function loginRedirect(request: Request, headers: Headers): Response {
  const url = new URL(request.url);
  return redirect(`/login?${new URLSearchParams({ returnTo: url.pathname + url.search })}`, { headers });
}

/**
 * `Set-Cookie` headers deleting session cookies that hold no valid session, and
 * chunks past the budget (left by older versions), so no browser stays stuck
 * with cookies the app cannot read. None when all is well.
 */
export async function staleAuthSessionHeaders(request: Request): Promise<Headers> {
  const present = presentChunkNames(request);
  if (present.length === 0 && !hasSessionIdCookie(request)) return new Headers();
  if (!(await getAuthSession(request))) return destroyAuthSessionHeaders(request);
  const headers = new Headers();
  for (const name of present.filter((name) => chunkIndex(name) >= MAX_CHUNKS)) {
    headers.append("Set-Cookie", serializeCookie(name, "", { ...cookieAttributes(), maxAge: 0 }));
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
  request: Request,
  data: Omit<AuthSessionData, "createdAt">,
  returnTo: string,
  headers: Headers = new Headers(),
): Promise<Response> {
  const session: AuthSessionData = { ...data, createdAt: orderedNow() };
  // Never the id of a session the browser brought along (session fixation): a new record, and the old one gone.
  if (hasSessionIdCookie(request)) void deleteRedisSession(request);
  await writeSession(request, session, null, headers);
  headers.set("Location", returnTo);
  return new Response(null, { status: 302, headers });
}

/**
 * Saves a changed session (new tokens) where the request's session lives;
 * returns the `Set-Cookie` headers to send with the response.
 */
export async function commitAuthSession(request: Request, session: AuthSessionData): Promise<Headers> {
  const headers = new Headers();
  const loaded = await loadSession(request);
  await writeSession(request, session, loaded?.redis ?? null, headers);
  return headers;
}

async function writeSession(
  request: Request,
  session: AuthSessionData,
  redisSession: RedisSession | null,
  headers: Headers,
) {
  const { sessionStore, redisUrl } = getConfig();
  if (sessionStore === "cookie" && !redisSession) {
    const chunks = await cookieChunks(session);
    if (chunksSize(chunks) <= SESSION_COOKIE_BUDGET) return setCookieChunks(request, session, chunks, headers);
    if (!redisUrl) {
      // No server-side store: the identity is kept and the tokens left out, so every page that calls
      // no API works as before; those that do say why (`tokens_unavailable`) instead of looping to login.
      const withoutTokens = await cookieChunks({ ...session, tokens: null });
      const size = chunksSize(withoutTokens);
      if (size > SESSION_COOKIE_BUDGET) {
        throw new AuthError(
          "session_too_large",
          `session cookies would take ${size} bytes, the budget is ${SESSION_COOKIE_BUDGET}`,
        );
      }
      if (session.tokens) {
        logAuthEvent(request, "session_tokens_dropped", {
          realm: session.user.realm,
          sub: session.user.sub,
          outcome: "cookie_over_budget",
          detail: `${chunksSize(chunks)} bytes with tokens`,
        });
      }
      return setCookieChunks(request, session, withoutTokens, headers);
    }
  }
  await writeRedisSession(session, redisSession, headers);
  for (const name of presentChunkNames(request))
    headers.append("Set-Cookie", serializeCookie(name, "", { ...cookieAttributes(), maxAge: 0 }));
}

async function writeRedisSession(session: AuthSessionData, existing: RedisSession | null, headers: Headers) {
  const storage = redisSessionStorage();
  try {
    const record = existing ?? (await storage.getSession(null));
    record.set("auth", toStored(session));
    headers.append("Set-Cookie", await storage.commitSession(record, { maxAge: remainingSeconds(session) }));
  } catch (error) {
    throw new AuthError("session_store_unavailable", `redis: ${String(error)}`, { cause: error });
  }
}

/**
 * `Set-Cookie` headers that delete every session cookie the request carries (at least the first).
 * A Redis record the request names is deleted in the background: use {@link destroyAuthSession} to wait for it.
 */
export function destroyAuthSessionHeaders(request: Request): Headers {
  if (hasSessionIdCookie(request)) void deleteRedisSession(request);
  return sessionCookieDeletions(request);
}

/** Ends the request's session: its Redis record deleted (when it has one), and the headers that delete its cookies. */
export async function destroyAuthSession(request: Request): Promise<Headers> {
  if (hasSessionIdCookie(request)) await deleteRedisSession(request);
  return sessionCookieDeletions(request);
}

function sessionCookieDeletions(request: Request): Headers {
  const headers = new Headers();
  const names = new Set([cookieName(), ...presentChunkNames(request)]);
  if (hasSessionIdCookie(request)) names.add(sessionIdCookieName());
  for (const name of names)
    headers.append("Set-Cookie", serializeCookie(name, "", { ...cookieAttributes(), maxAge: 0 }));
  return headers;
}

/** Deletes the Redis record the request's id cookie names; a failure is logged (the record still expires). */
async function deleteRedisSession(request: Request): Promise<void> {
  if (!getConfig().redisUrl) return;
  const storage = redisSessionStorage();
  try {
    await storage.destroySession(await storage.getSession(request.headers.get("Cookie")));
  } catch (error) {
    logAuthEvent(request, "session_store_error", { realm: "-", outcome: "record_kept", detail: String(error) });
  }
}

async function readSession(request: Request): Promise<LoadedSession | null> {
  const fromCookie = await decryptSession(request);
  const loaded = fromCookie ? { session: fromCookie, redis: null } : await readRedisSession(request);
  if (!loaded) return null;
  const { session } = loaded;
  const keys = revocationKeys(session.user.realm, { sid: sessionId(session), sub: session.user.sub });
  try {
    const revokedAt = await getRevocationStore().revokedAt(keys);
    return revokedAt !== null && session.createdAt <= revokedAt ? null : loaded;
  } catch (error) {
    // Availability over a revocation we cannot read: the session lives on, and the log says why.
    logAuthEvent(request, "revocation_store_error", {
      realm: session.user.realm,
      outcome: "session_kept",
      detail: String(error),
    });
    return loaded;
  }
}

async function readRedisSession(request: Request): Promise<LoadedSession | null> {
  if (!getConfig().redisUrl || !hasSessionIdCookie(request)) return null;
  let record: RedisSession;
  try {
    record = await redisSessionStorage().getSession(request.headers.get("Cookie"));
  } catch (error) {
    // Not "no session": that would delete the browser's cookie and log everyone out at every Redis hiccup.
    logAuthEvent(request, "session_store_error", { realm: "-", outcome: "unavailable", detail: String(error) });
    throw authErrorResponse(new AuthError("session_store_unavailable", String(error)));
  }
  const session = fromStored(record.get("auth"));
  if (!session || session.createdAt + getConfig().sessionMaxAge <= Date.now() / 1000) return null;
  return { session, redis: record };
}
