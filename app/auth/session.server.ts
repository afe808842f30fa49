import { createHash } from "node:crypto";
import { redirect } from "@remix-run/node";
import { decodeJwt, type JWTPayload } from "jose";
import { orderedNow } from "./clock";
import { getConfig } from "./config.server";
import type { OIDCStrategy } from "./oidc-strategy.server";
import { parseCookieHeader, serializeCookie } from "./cookies.server";
import { AuthError } from "./errors";
import { logAuthEvent } from "./log.server";
import { getRevocationStore, revocationKeys } from "./revocation.server";
import { CHUNK_SIZE, decrypt, encrypt, splitIntoChunks } from "./sealed-cookie.server";

/** What the UI may know about the signed-in user. */
export interface SessionUser extends OIDCStrategy.Profile {
  /** The realm (or provider) that issued the session: logout goes back there, and nowhere else. */
  realm: string;
  sub: string;
  /** The provider's session id, from the ID token. */
  sid?: string;
}

/** Everything the session cookie holds. */
export interface AuthSessionData {
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

const sessions = new WeakMap<Request, Promise<AuthSessionData | null>>();

/** The request's valid session, or `null` (none, tampered, expired, malformed, or ended by a back-channel logout). */
export function getAuthSession(request: Request): Promise<AuthSessionData | null> {
  let session = sessions.get(request);
  if (!session) {
    session = readSession(request);
    sessions.set(request, session);
  }
  return session;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  return (await getAuthSession(request))?.user ?? null;
}

/** The signed-in session, or a thrown redirect to login that comes back to this page. */
export async function requireAuthSession(request: Request): Promise<AuthSessionData> {
  const session = await getAuthSession(request);
  if (session) return session;
  const url = new URL(request.url);
  throw redirect(`/login?${new URLSearchParams({ returnTo: url.pathname + url.search })}`, {
    headers: await staleAuthSessionHeaders(request),
  });
}

/**
 * `Set-Cookie` headers deleting session cookies that hold no valid session, and
 * chunks past the budget (left by older versions), so no browser stays stuck
 * with cookies the app cannot read. None when all is well.
 */
export async function staleAuthSessionHeaders(request: Request): Promise<Headers> {
  const present = presentChunkNames(request);
  if (present.length === 0) return new Headers();
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
 * Throws `session_too_large` when the session would exceed {@link SESSION_COOKIE_BUDGET}.
 */
export async function createAuthSession(
  request: Request,
  data: Omit<AuthSessionData, "createdAt">,
  returnTo: string,
  headers: Headers = new Headers(),
): Promise<Response> {
  const { sessionSecrets, sessionMaxAge } = getConfig();
  const session: AuthSessionData = { ...data, createdAt: orderedNow() };
  const chunks = splitIntoChunks(await encrypt(toStored(session), sessionSecrets[0]!));
  const size = chunks.reduce((total, chunk, index) => total + chunkName(index).length + 1 + chunk.length, 0);
  if (size > SESSION_COOKIE_BUDGET) {
    throw new AuthError("session_too_large", `session cookies would take ${size} bytes, the budget is ${SESSION_COOKIE_BUDGET}`);
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
export function destroyAuthSessionHeaders(request: Request): Headers {
  const headers = new Headers();
  const names = new Set([cookieName(), ...presentChunkNames(request)]);
  for (const name of names) headers.append("Set-Cookie", serializeCookie(name, "", { ...cookieAttributes(), maxAge: 0 }));
  return headers;
}

const chunkIndex = (name: string) => Number(name.slice(cookieName().length + 1) || 0);

function presentChunkNames(request: Request): string[] {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const base = cookieName();
  return [...cookies.keys()].filter((name) => name === base || (name.startsWith(`${base}.`) && /^[1-9]\d*$/.test(name.slice(base.length + 1))));
}

/**
 * What a logout revokes this session by: the provider's `sid`, or without one
 * (some providers send none) a digest of its ID token, which is new at every login.
 */
export function sessionId({ user, idToken }: AuthSessionData): string {
  return user.sid ?? `id_token:${createHash("sha256").update(idToken).digest("base64url")}`;
}

async function readSession(request: Request): Promise<AuthSessionData | null> {
  const session = await decryptSession(request);
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
 * The session as stored: the ID token's header and payload as the JSON text
 * they encode, because deflate shrinks JSON far better than its base64url
 * (a token with 60 groups: 4.6 KB of cookies become 3.4 KB). The token is
 * rebuilt byte for byte; one that would not be is stored as it is.
 */
type StoredSession = Omit<AuthSessionData, "idToken"> & { idToken: string | [header: string, payload: string, signature: string] };

export function toStored(session: AuthSessionData): StoredSession {
  const [header, payload, signature, ...rest] = session.idToken.split(".");
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) return session;
  const decoded = [header, payload].map((part) => Buffer.from(part, "base64url").toString("utf8"));
  const exact = decoded.every((text, index) => Buffer.from(text, "utf8").toString("base64url") === [header, payload][index]);
  return exact ? { ...session, idToken: [decoded[0]!, decoded[1]!, signature] } : session;
}

export function fromStored(value: unknown): AuthSessionData | null {
  if (typeof value !== "object" || value === null) return null;
  const { idToken } = value as Partial<StoredSession>;
  const session = Array.isArray(idToken)
    ? { ...value, idToken: idToken.length === 3 && idToken.every((part) => typeof part === "string") ? encodeJwt(idToken) : null }
    : value;
  return isAuthSessionData(session) ? session : null;
}

const encodeJwt = ([header, payload, signature]: string[]) =>
  `${Buffer.from(header!, "utf8").toString("base64url")}.${Buffer.from(payload!, "utf8").toString("base64url")}.${signature}`;

function isAuthSessionData(value: unknown): value is AuthSessionData {
  if (typeof value !== "object" || value === null) return false;
  const { user, idToken, createdAt } = value as Partial<AuthSessionData>;
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
