import { createHash } from "node:crypto";
import { redirect } from "@remix-run/node";
import { decodeJwt, type JWTPayload } from "jose";
import { getConfig } from "./config.server";
import type { OIDCStrategy } from "./oidc-strategy.server";
import { parseCookieHeader, serializeCookie } from "./cookies.server";
import { AuthError } from "./errors";
import { logAuthEvent } from "./log.server";
import { getRevocationStore, revocationKeys } from "./revocation.server";
import { seal, splitIntoChunks, unseal } from "./sealed-cookie.server";

/** What the UI may know about the signed-in user. */
export interface SessionUser extends OIDCStrategy.Profile {
  /** The realm (or provider) that issued the session: logout goes back there, and nowhere else. */
  realm: string;
  sub: string;
  /** The provider's session id, from the ID token. */
  sid?: string;
}

/** Everything the session cookie holds. */
export interface SessionData {
  user: SessionUser;
  /** Kept for `id_token_hint` at logout. */
  idToken: string;
  /** Seconds since the epoch: the session ends `SESSION_MAX_AGE` after this, whatever the activity. */
  createdAt: number;
}

/**
 * `__Host-session` when the cookies are Secure (APP_URL is https): the browser
 * then refuses one set by a sibling subdomain, for another path, or over http.
 */
const cookieName = () => (getConfig().secureCookies ? "__Host-session" : "__session");
/** 8 chunks of 3,800 bytes: far above a Keycloak id_token with many groups, far below header limits. */
const MAX_CHUNKS = 8;

const chunkName = (index: number) => (index === 0 ? cookieName() : `${cookieName()}.${index}`);
const cookieAttributes = () => ({ path: "/", secure: getConfig().secureCookies });

const sessions = new WeakMap<Request, Promise<SessionData | null>>();

/** The request's valid session, or `null` (none, tampered, expired, malformed, or ended by a back-channel logout). */
export function getSession(request: Request): Promise<SessionData | null> {
  let session = sessions.get(request);
  if (!session) {
    session = readSession(request);
    sessions.set(request, session);
  }
  return session;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  return (await getSession(request))?.user ?? null;
}

/** The signed-in session, or a thrown redirect to login that comes back to this page. */
export async function requireSession(request: Request): Promise<SessionData> {
  const session = await getSession(request);
  if (session) return session;
  const url = new URL(request.url);
  throw redirect(`/login?${new URLSearchParams({ returnTo: url.pathname + url.search })}`, {
    headers: await staleSessionHeaders(request),
  });
}

export async function requireUser(request: Request): Promise<SessionUser> {
  return (await requireSession(request)).user;
}

/** `Set-Cookie` headers deleting session cookies that no longer hold a valid session (none when all is well). */
export async function staleSessionHeaders(request: Request): Promise<Headers> {
  if (presentChunkNames(request).length === 0 || (await getSession(request))) return new Headers();
  return destroySessionHeaders(request);
}

/** The ID token's claims, for display; the token was validated when the session was created. */
export function getIdTokenClaims(session: SessionData): JWTPayload {
  try {
    return decodeJwt(session.idToken);
  } catch {
    return {};
  }
}

/** Starts a session and redirects to `returnTo`; `headers` (e.g. cookie clean-up) are sent along. */
export function createUserSession(
  request: Request,
  data: Omit<SessionData, "createdAt">,
  returnTo: string,
  headers: Headers = new Headers(),
): Response {
  const { sessionSecrets, sessionMaxAge } = getConfig();
  const sealed = seal({ ...data, createdAt: Math.floor(Date.now() / 1000) } satisfies SessionData, sessionSecrets[0]!);
  const chunks = splitIntoChunks(sealed);
  if (chunks.length > MAX_CHUNKS) {
    throw new AuthError("session_too_large", `sealed session is ${sealed.length} bytes`);
  }
  const attributes = { ...cookieAttributes(), maxAge: sessionMaxAge };
  chunks.forEach((chunk, index) => headers.append("Set-Cookie", serializeCookie(chunkName(index), chunk, attributes)));
  for (const stale of presentChunkNames(request).slice(chunks.length)) {
    headers.append("Set-Cookie", serializeCookie(stale, "", { ...cookieAttributes(), maxAge: 0 }));
  }
  headers.set("Location", returnTo);
  return new Response(null, { status: 302, headers });
}

/** `Set-Cookie` headers that delete every session cookie the request carries (at least the first). */
export function destroySessionHeaders(request: Request): Headers {
  const headers = new Headers();
  const names = new Set([cookieName(), ...presentChunkNames(request)]);
  for (const name of names) headers.append("Set-Cookie", serializeCookie(name, "", { ...cookieAttributes(), maxAge: 0 }));
  return headers;
}

function presentChunkNames(request: Request): string[] {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const base = cookieName();
  return [...cookies.keys()].filter((name) => name === base || (name.startsWith(`${base}.`) && /^[1-9]\d*$/.test(name.slice(base.length + 1))));
}

/**
 * What a logout revokes this session by: the provider's `sid`, or without one
 * (some providers send none) a digest of its ID token, which is new at every login.
 */
export function sessionId({ user, idToken }: SessionData): string {
  return user.sid ?? `id_token:${createHash("sha256").update(idToken).digest("base64url")}`;
}

async function readSession(request: Request): Promise<SessionData | null> {
  const session = unsealSession(request);
  if (!session) return null;
  const keys = revocationKeys(session.user.realm, { sid: sessionId(session), sub: session.user.sub });
  try {
    const revokedAt = await getRevocationStore().revokedAt(keys);
    return revokedAt !== null && session.createdAt <= revokedAt ? null : session;
  } catch (error) {
    // Availability over a revocation we cannot read: the session lives on, and the log says why.
    logAuthEvent(request, "revocation_store_error", { realm: session.user.realm, outcome: "session_kept", detail: String(error) });
    return session;
  }
}

function unsealSession(request: Request): SessionData | null {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const chunks: string[] = [];
  for (let index = 0; index < MAX_CHUNKS; index++) {
    const chunk = cookies.get(chunkName(index));
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  if (chunks.length === 0) return null;

  const data = unsealCached(chunks.join(""));
  if (!data || data.createdAt + getConfig().sessionMaxAge <= Date.now() / 1000) return null;
  return data;
}

/**
 * Sealed value -> verified session, for the sessions seen last: every request
 * of a session carries the same cookie, and checking the HMAC and inflating it
 * each time was most of what authentication cost per request. Only values that
 * verified are kept; expiry and revocation are still checked on every request.
 */
const verified = new Map<string, SessionData>();
const VERIFIED_CACHE_SIZE = 1000;

function unsealCached(sealed: string): SessionData | null {
  const cached = verified.get(sealed);
  if (cached) return cached;
  const data = unseal(sealed, getConfig().sessionSecrets);
  if (!isSessionData(data)) return null;
  if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
  verified.set(sealed, Object.freeze(data));
  return data;
}

function isSessionData(value: unknown): value is SessionData {
  if (typeof value !== "object" || value === null) return false;
  const { user, idToken, createdAt } = value as Partial<SessionData>;
  return (
    typeof idToken === "string" &&
    typeof createdAt === "number" &&
    typeof user === "object" &&
    user !== null &&
    typeof user.realm === "string" &&
    typeof user.sub === "string" &&
    typeof user.username === "string"
  );
}
