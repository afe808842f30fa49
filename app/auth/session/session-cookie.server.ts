import { parseCookieHeader, serializeCookie } from "../http/cookies.server";
import { CHUNK_SIZE, decrypt, encrypt, splitIntoChunks } from "./sealed-cookie.server";
import { fromStored, toStored, type AuthSessionData } from "./session-data.server";
import type { SessionContext } from "./context.server";
import { sessionIdCookieName } from "./session-redis.server";

// The session in the browser: encrypted, split into chunks of at most 3,800 bytes, within one budget.

/**
 * `__Host-session` when the cookies are Secure (APP_URL is https): the browser
 * then refuses one set by a sibling subdomain, for another path, or over http.
 */
export const cookieName = ({ config }: SessionContext) => (config.secureCookies ? "__Host-session" : "__session");
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

export const chunkName = (ctx: SessionContext, index: number) =>
  index === 0 ? cookieName(ctx) : `${cookieName(ctx)}.${index}`;
export const cookieAttributes = ({ config }: SessionContext) => ({ path: "/", secure: config.secureCookies });

export async function cookieChunks({ config }: SessionContext, session: AuthSessionData): Promise<string[]> {
  return splitIntoChunks(await encrypt(toStored(session), config.sessionSecrets[0]!));
}

export const chunksSize = (ctx: SessionContext, chunks: string[]) =>
  chunks.reduce((total, chunk, index) => total + chunkName(ctx, index).length + 1 + chunk.length, 0);

/** The session's remaining lifetime: activity never extends it. */
export const remainingSeconds = ({ config }: SessionContext, session: AuthSessionData) =>
  Math.max(1, Math.ceil(session.createdAt + config.sessionMaxAge - Date.now() / 1000));

/** A `Set-Cookie` that deletes cookie `name`. */
export const cookieDeletion = (ctx: SessionContext, name: string) =>
  serializeCookie(name, "", { ...cookieAttributes(ctx), maxAge: 0 });

export function setCookieChunks(
  ctx: SessionContext,
  request: Request,
  session: AuthSessionData,
  chunks: string[],
  headers: Headers,
) {
  const attributes = { ...cookieAttributes(ctx), maxAge: remainingSeconds(ctx, session) };
  chunks.forEach((chunk, index) =>
    headers.append("Set-Cookie", serializeCookie(chunkName(ctx, index), chunk, attributes)),
  );
  const stale = presentChunkNames(ctx, request).slice(chunks.length);
  if (hasSessionIdCookie(ctx, request)) stale.push(sessionIdCookieName(ctx.config.secureCookies));
  for (const name of stale) headers.append("Set-Cookie", cookieDeletion(ctx, name));
}

export function hasSessionIdCookie({ config }: SessionContext, request: Request): boolean {
  return parseCookieHeader(request.headers.get("Cookie"))[sessionIdCookieName(config.secureCookies)] !== undefined;
}

export const chunkIndex = (ctx: SessionContext, name: string) => Number(name.slice(cookieName(ctx).length + 1) || 0);

export function presentChunkNames(ctx: SessionContext, request: Request): string[] {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const base = cookieName(ctx);
  return Object.keys(cookies).filter(
    (name) => name === base || (name.startsWith(`${base}.`) && /^[1-9]\d*$/.test(name.slice(base.length + 1))),
  );
}

export async function decryptSession(ctx: SessionContext, request: Request): Promise<AuthSessionData | null> {
  const cookies = parseCookieHeader(request.headers.get("Cookie"));
  const chunks: string[] = [];
  for (let index = 0; index < MAX_CHUNKS; index++) {
    const chunk = cookies[chunkName(ctx, index)];
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  if (chunks.length === 0) return null;

  const data = await decryptCached(ctx, chunks.join(""));
  if (!data || data.createdAt + ctx.config.sessionMaxAge <= Date.now() / 1000) return null;
  return data;
}

/** Decrypting is most of what authentication costs per request: the sessions seen last are kept decrypted. */
async function decryptCached({ config, decrypted }: SessionContext, value: string): Promise<AuthSessionData | null> {
  const cached = decrypted.get(value);
  if (cached) return cached;
  const data = fromStored(await decrypt(value, config.sessionSecrets, SESSION_COOKIE_BUDGET));
  if (!data) return null;
  decrypted.set(value, Object.freeze(data));
  return data;
}
