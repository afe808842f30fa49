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
 * The name and attributes a cookie that carries login or logout state is set with. Secure (an https
 * APP_URL), it is `__Host-<name>` for `Path=/`: the browser accepts that name only from this very host,
 * Secure and without `Domain`, so a sibling subdomain cannot plant its own login (login CSRF), and the
 * unprefixed name, which it could plant, is never read. Over http the prefix does not exist: the cookie
 * keeps to `attributes.path`, where it is used.
 */
export function stateCookie(
  name: string,
  attributes: CookieAttributes,
): { name: string; attributes: CookieAttributes } {
  return attributes.secure
    ? { name: `__Host-${name}`, attributes: { ...attributes, path: "/" } }
    : { name, attributes };
}

/**
 * A cookie holding a few `key=value` entries, oldest first, e.g. the logins in
 * progress of one provider by their `state`. Adding one drops the oldest beyond
 * `limit`, so a flood of logins cannot grow it; the last one removed deletes it.
 */
export class BoundedEntriesCookie {
  constructor(
    readonly name: string,
    readonly attributes: CookieAttributes,
    readonly limit: number,
  ) {}

  read(request: Request): URLSearchParams {
    return new URLSearchParams(parseCookieHeader(request.headers.get("Cookie")).get(this.name) ?? "");
  }

  /** The `Set-Cookie` that adds an entry. */
  add(request: Request, key: string, value: string): string {
    const kept = [...this.read(request)].filter(([existing]) => existing !== key).slice(-(this.limit - 1));
    return this.#serialize(new URLSearchParams([...kept, [key, value]]));
  }

  /** The `Set-Cookie` that removes an entry. */
  remove(request: Request, key: string): string {
    const entries = this.read(request);
    entries.delete(key);
    return this.#serialize(entries);
  }

  #serialize(entries: URLSearchParams): string {
    const value = entries.toString();
    return serializeCookie(this.name, value, value ? this.attributes : { ...this.attributes, maxAge: 0 });
  }
}
