import { getConfig } from "../core/config.server";
import { parseCookieHeader, serializeCookie } from "../http/cookies.server";
import { CHUNK_SIZE, decrypt, encrypt, splitIntoChunks } from "./sealed-cookie.server";
import { fromStored, toStored, type AuthSessionData } from "./session-data.server";
import { sessionIdCookieName } from "./session-redis.server";

// The session in the browser: encrypted, split into chunks of at most 3,800 bytes, within one budget.

/**
 * `__Host-session` when the cookies are Secure (APP_URL is https): the browser
 * then refuses one set by a sibling subdomain, for another path, or over http.
 */
export const cookieName = () => (getConfig().secureCookies ? "__Host-session" : "__session");
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
export const MAX_CHUNKS = Math.ceil(SESSION_COOKIE_BUDGET / CHUNK_SIZE);

export const chunkName = (index: number) => (index === 0 ? cookieName() : `${cookieName()}.${index}`);
export const cookieAttributes = () => ({ path: "/", secure: getConfig().secureCookies });

export async function cookieChunks(session: AuthSessionData): Promise<string[]> {
  return splitIntoChunks(await encrypt(toStored(session), getConfig().sessionSecrets[0]!));
}

export const chunksSize = (chunks: string[]) =>
  chunks.reduce((total, chunk, index) => total + chunkName(index).length + 1 + chunk.length, 0);

/** The session's remaining lifetime: activity never extends it. */
export const remainingSeconds = (session: AuthSessionData) =>
  Math.max(1, Math.ceil(session.createdAt + getConfig().sessionMaxAge - Date.now() / 1000));

export function setCookieChunks(request: Request, session: AuthSessionData, chunks: string[], headers: Headers) {
  const attributes = { ...cookieAttributes(), maxAge: remainingSeconds(session) };
  chunks.forEach((chunk, index) => headers.append("Set-Cookie", serializeCookie(chunkName(index), chunk, attributes)));
  const stale = presentChunkNames(request).slice(chunks.length);
  if (hasSessionIdCookie(request)) stale.push(sessionIdCookieName());
  for (const name of stale)
    headers.append("Set-Cookie", serializeCookie(name, "", { ...cookieAttributes(), maxAge: 0 }));
}

export function hasSessionIdCookie(request: Request): boolean {
  return parseCookieHeader(request.headers.get("Cookie")).has(sessionIdCookieName());
}

export const chunkIndex = (name: string) => Number(name.slice(cookieName().length + 1) || 0);

export function presentChunkNames(request: Request): string[] {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const base = cookieName();
  return [...cookies.keys()].filter(
    (name) => name === base || (name.startsWith(`${base}.`) && /^[1-9]\d*$/.test(name.slice(base.length + 1))),
  );
}

export async function decryptSession(request: Request): Promise<AuthSessionData | null> {
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
