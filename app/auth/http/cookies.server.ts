import { parse, serialize } from "cookie";

export interface CookieAttributes {
  path: string;
  secure: boolean;
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  maxAge?: number;
}

/**
 * Parses a `Cookie` header into name -> value (an object without a prototype), values as sent: they are
 * base64url or form-encoded already. The first of duplicate names wins, as browsers send the most specific first.
 */
export function parseCookieHeader(header: string | null): Readonly<Record<string, string | undefined>> {
  return parse(header ?? "", { decode: keepAsSent });
}

const keepAsSent = (value: string) => value;

/** An httpOnly, SameSite=Lax `Set-Cookie` value. The value must already be cookie-safe. */
export function serializeCookie(name: string, value: string, { path, secure, maxAge }: CookieAttributes): string {
  return serialize(name, value, {
    path,
    httpOnly: true,
    sameSite: "lax",
    secure,
    maxAge,
    ...(maxAge === 0 && { expires: new Date(0) }),
    encode: keepAsSent,
  });
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
    return new URLSearchParams(parseCookieHeader(request.headers.get("Cookie"))[this.name] ?? "");
  }

  /** The `Set-Cookie` that adds an entry. */
  add(request: Request, key: string, value: string): string {
    const others = [...this.read(request)].filter(([existing]) => existing !== key);
    // Not `slice(-(limit - 1))`: with a limit of 1 that is `slice(-0)`, every entry.
    const kept = others.slice(Math.max(0, others.length - (this.limit - 1)));
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

/**
 * `state` -> a value, for the logins in progress in this browser (at most `limit`, five minutes), scoped like
 * the strategy's state cookie: the login route adds to it, the callback reads it. Over https that is one
 * `__Host-` cookie for every provider.
 */
export function pendingLoginsCookie(cookieName: string, realm: string, secure: boolean, limit: number) {
  const { name, attributes } = stateCookie(cookieName, { path: `/auth/${realm}/`, secure, maxAge: 300 });
  return new BoundedEntriesCookie(name, attributes, limit);
}
