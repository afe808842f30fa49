export interface CookieAttributes {
  path: string;
  secure: boolean;
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  maxAge?: number;
}

/** Parses a `Cookie` header into name -> value; the first of duplicate names wins, as browsers send the most specific first. */
export function parseCookieHeader(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** An httpOnly, SameSite=Lax `Set-Cookie` value. The value must already be cookie-safe. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [`${name}=${value}`, `Path=${attributes.path}`, "HttpOnly", "SameSite=Lax"];
  if (attributes.secure) parts.push("Secure");
  if (attributes.maxAge !== undefined) {
    parts.push(`Max-Age=${attributes.maxAge}`);
    if (attributes.maxAge === 0) parts.push("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  }
  return parts.join("; ");
}

/**
 * The entries of a cookie that holds a few `key=value` pairs, oldest first
 * (e.g. the logins in progress of one provider, by `state`).
 */
export function readEntries(header: string | null, name: string): URLSearchParams {
  return new URLSearchParams(parseCookieHeader(header).get(name) ?? "");
}

/** Adds an entry and keeps only the newest `limit`, so a flood of logins cannot grow the cookie. */
export function withEntry(entries: URLSearchParams, key: string, value: string, limit: number): URLSearchParams {
  const kept = [...entries].filter(([existing]) => existing !== key).slice(-(limit - 1));
  return new URLSearchParams([...kept, [key, value]]);
}

/** The `Set-Cookie` that stores `entries`, or deletes the cookie when there are none left. */
export function serializeEntries(name: string, entries: URLSearchParams, attributes: CookieAttributes): string {
  const value = entries.toString();
  return serializeCookie(name, value, value ? attributes : { ...attributes, maxAge: 0 });
}
