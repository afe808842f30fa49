import { createHash } from "node:crypto";
import { redirect } from "@remix-run/node";
import { decodeJwt, type JWTPayload } from "jose";
import { orderedNow } from "../core/clock";
import { getConfig } from "../core/config.server";
import type { OIDCStrategy } from "../protocol/oidc-strategy.server";
import { parseCookieHeader, serializeCookie } from "../http/cookies.server";
import { AuthError } from "../core/errors";
import { logAuthEvent } from "../core/log.server";
import { getRevocationStore, revocationKeys } from "./revocation.server";
import { authErrorResponse } from "../http/error-response.server";
import { CHUNK_SIZE, decrypt, encrypt, splitIntoChunks } from "./sealed-cookie.server";
import { redisSessionStorage, sessionIdCookieName, type RedisSession } from "./session-redis.server";
import { isSessionTokens, type SessionTokens } from "./token-set";

/** What the UI may know about the signed-in user. */
export interface SessionUser extends OIDCStrategy.Profile {
  /** The realm (or provider) that issued the session: logout goes back there, and nowhere else. */
  realm: string;
  sub: string;
  /** The provider's session id, from the ID token. */
  sid?: string;
}

/** Everything the session holds (in the cookie, or in Redis). */
export interface AuthSessionData {
  user: SessionUser;
  /** Kept for `id_token_hint` at logout. */
  idToken: string;
  /**
   * For calling APIs as the user (`getAccessToken`). `null`: left out because
   * they did not fit the cookie and no Redis is configured; absent in sessions
   * made before the app kept them.
   */
  tokens?: SessionTokens | null;
  /** Seconds since the epoch: the session ends `SESSION_MAX_AGE` after this, whatever the activity. */
  createdAt: number;
}

/**
 * `__Host-session` when the cookies are Secure (APP_URL is https): the browser
 * then refuses one set by a sibling subdomain, for another path, or over http.
 */
const cookieName = () => (getConfig().secureCookies ? "__Host-session" : "__session");
/**
 * The most bytes the session cookies may take together (`name=value` of every
 * chunk). Browsers send all of a site's cookies in one `Cookie` header line: a
 * default nginx refuses a line over 8 KB (`large_client_header_buffers 4 8k`,
 * "400 Request Header Or Cookie Too Large") and Node refuses more than 16 KB of
 * headers in all (431, before the app runs). 6 KB leaves 2 KB of that line to
 * the app's own cookie and the login-state cookies. Encrypted and compressed,
 * an ID token with 60 long group paths takes 3.4 KB; a session over the budget
 * is refused at login (`session_too_large`), never sent to the browser.
 */
export const SESSION_COOKIE_BUDGET = 6 * 1024;
const MAX_CHUNKS = Math.ceil(SESSION_COOKIE_BUDGET / CHUNK_SIZE);

const chunkName = (index: number) => (index === 0 ? cookieName() : `${cookieName()}.${index}`);
const cookieAttributes = () => ({ path: "/", secure: getConfig().secureCookies });

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

async function cookieChunks(session: AuthSessionData): Promise<string[]> {
  return splitIntoChunks(await encrypt(toStored(session), getConfig().sessionSecrets[0]!));
}

const chunksSize = (chunks: string[]) =>
  chunks.reduce((total, chunk, index) => total + chunkName(index).length + 1 + chunk.length, 0);

/** The session's remaining lifetime: activity never extends it. */
const remainingSeconds = (session: AuthSessionData) =>
  Math.max(1, Math.ceil(session.createdAt + getConfig().sessionMaxAge - Date.now() / 1000));

function setCookieChunks(request: Request, session: AuthSessionData, chunks: string[], headers: Headers) {
  const attributes = { ...cookieAttributes(), maxAge: remainingSeconds(session) };
  chunks.forEach((chunk, index) => headers.append("Set-Cookie", serializeCookie(chunkName(index), chunk, attributes)));
  const stale = presentChunkNames(request).slice(chunks.length);
  if (hasSessionIdCookie(request)) stale.push(sessionIdCookieName());
  for (const name of stale)
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

function hasSessionIdCookie(request: Request): boolean {
  return parseCookieHeader(request.headers.get("Cookie")).has(sessionIdCookieName());
}

const chunkIndex = (name: string) => Number(name.slice(cookieName().length + 1) || 0);

function presentChunkNames(request: Request): string[] {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const base = cookieName();
  return [...cookies.keys()].filter(
    (name) => name === base || (name.startsWith(`${base}.`) && /^[1-9]\d*$/.test(name.slice(base.length + 1))),
  );
}

/**
 * What a logout revokes this session by: the provider's `sid`, or without one
 * (some providers send none) a digest of its ID token, which is new at every login.
 */
export function sessionId({ user, idToken }: AuthSessionData): string {
  return user.sid ?? `id_token:${createHash("sha256").update(idToken).digest("base64url")}`;
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

async function decryptSession(request: Request): Promise<AuthSessionData | null> {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const chunks: string[] = [];
  for (let index = 0; index < MAX_CHUNKS; index++) {
    const chunk = cookies.get(chunkName(index));
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  if (chunks.length === 0) return null;

  const data = await decryptCached(chunks.join(""));
  if (!data || data.createdAt + getConfig().sessionMaxAge <= Date.now() / 1000) return null;
  return data;
}

/**
 * Encrypted value -> session, for the sessions seen last: every request of a
 * session carries the same cookie, and decrypting and inflating it each time
 * was most of what authentication cost per request. Only values that decrypted
 * are kept; expiry and revocation are still checked on every request.
 */
const decrypted = new Map<string, AuthSessionData>();
const DECRYPTED_CACHE_SIZE = 1000;

async function decryptCached(value: string): Promise<AuthSessionData | null> {
  const cached = decrypted.get(value);
  if (cached) return cached;
  const data = fromStored(await decrypt(value, getConfig().sessionSecrets, SESSION_COOKIE_BUDGET));
  if (!data) return null;
  if (decrypted.size >= DECRYPTED_CACHE_SIZE) decrypted.delete(decrypted.keys().next().value!);
  decrypted.set(value, Object.freeze(data));
  return data;
}

/**
 * The session as stored: each token that is a JWT (the ID token; Keycloak's
 * access and refresh tokens) as the JSON text its header and payload encode,
 * because deflate shrinks JSON far better than its base64url (a token with 60
 * groups: 4.6 KB of cookies become 3.4 KB). Tokens are rebuilt byte for byte;
 * one that would not be is stored as it is.
 */
type StoredToken = string | [header: string, payload: string, signature: string];
type StoredSession = Omit<AuthSessionData, "idToken" | "tokens"> & {
  idToken: StoredToken;
  tokens?: { accessToken: StoredToken; refreshToken?: StoredToken; expiresAt?: number } | null;
};

export function toStored(session: AuthSessionData): StoredSession {
  const { tokens } = session;
  return {
    ...session,
    idToken: packJwt(session.idToken),
    ...(tokens && {
      tokens: {
        ...tokens,
        accessToken: packJwt(tokens.accessToken),
        ...(tokens.refreshToken && { refreshToken: packJwt(tokens.refreshToken) }),
      },
    }),
  };
}

export function fromStored(value: unknown): AuthSessionData | null {
  if (typeof value !== "object" || value === null) return null;
  const { idToken, tokens } = value as Partial<StoredSession>;
  const session = {
    ...value,
    idToken: unpackJwt(idToken),
    ...(tokens && {
      tokens: {
        ...tokens,
        accessToken: unpackJwt(tokens.accessToken),
        ...(tokens.refreshToken && { refreshToken: unpackJwt(tokens.refreshToken) }),
      },
    }),
  };
  return isAuthSessionData(session) ? session : null;
}

function packJwt(token: string): StoredToken {
  const [header, payload, signature, ...rest] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) return token;
  const decoded = [header, payload].map((part) => Buffer.from(part, "base64url").toString("utf8"));
  const exact = decoded.every(
    (text, index) => Buffer.from(text, "utf8").toString("base64url") === [header, payload][index],
  );
  return exact ? [decoded[0]!, decoded[1]!, signature] : token;
}

function unpackJwt(stored: unknown): string | null {
  if (typeof stored === "string") return stored;
  if (!Array.isArray(stored) || stored.length !== 3 || !stored.every((part) => typeof part === "string")) return null;
  const [header, payload, signature] = stored as string[];
  return `${Buffer.from(header!, "utf8").toString("base64url")}.${Buffer.from(payload!, "utf8").toString("base64url")}.${signature}`;
}

function isAuthSessionData(value: unknown): value is AuthSessionData {
  if (typeof value !== "object" || value === null) return false;
  const { user, idToken, createdAt, tokens } = value as Partial<AuthSessionData>;
  return (
    typeof idToken === "string" &&
    (tokens === undefined || tokens === null || isSessionTokens(tokens)) &&
    typeof createdAt === "number" &&
    typeof user === "object" &&
    user !== null &&
    typeof user.realm === "string" &&
    typeof user.sub === "string" &&
    typeof user.username === "string"
  );
}
