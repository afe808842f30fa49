import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { parseCookieHeader, serializeCookie } from "../http/cookies.server";
import type { RedisConnection } from "./redis.server";
import { revocationScope } from "./revocation.server";
import { decrypt, encrypt } from "./sealed-cookie.server";

/**
 * The cookie that holds only the session's id when the session lives in Redis;
 * `__Host-` when cookies are Secure, like the session cookies, so a sibling
 * subdomain cannot plant one.
 */
export const sessionIdCookieName = (secure: boolean) => (secure ? "__Host-session_id" : "__session_id");
const PREFIX = "remix-keycloak:session:";

/** What a Redis session record holds: the auth session as stored (session-data.server.ts `toStored`), under one key. */
export interface RedisSessionData {
  auth: unknown;
}

/** One Redis session record as read: its id (`""` before it is first saved) and its data. */
export class RedisSession {
  constructor(
    readonly id: string,
    private readonly data: Partial<RedisSessionData>,
  ) {}
  get<Key extends keyof RedisSessionData>(key: Key): RedisSessionData[Key] | undefined {
    return this.data[key];
  }
  set<Key extends keyof RedisSessionData>(key: Key, value: RedisSessionData[Key]): void {
    this.data[key] = value;
  }
  get values(): Partial<RedisSessionData> {
    return this.data;
  }
}

/** Sessions in Redis, named by a signed id cookie: read one from a `Cookie` header, save it, end it. */
export interface RedisSessionStorage {
  getSession(cookieHeader: string | null): Promise<RedisSession>;
  /** Saves the record (a new id the first time) for `maxAge` seconds; returns the id cookie's `Set-Cookie` value. */
  commitSession(session: RedisSession, options?: { maxAge?: number }): Promise<string>;
  /** Deletes the record; returns the `Set-Cookie` value that deletes the id cookie. */
  destroySession(session: RedisSession): Promise<string>;
}

const sessionKey = (id: string) => `${PREFIX}${id}`;
/**
 * The ids of one user's sessions, so that ending them all is one delete: by the provider's issuer, as a `sub`
 * is unique only within its issuer and instances of other configurations may share the Redis.
 */
const userKey = (issuer: string, sub: string) => `${PREFIX}user:${issuer}:${sub}`;

interface RedisSessionSettings {
  sessionSecrets: readonly string[];
  secureCookies: boolean;
  /** Seconds: a record without an expiry of its own lives this long. */
  sessionMaxAge: number;
  /** Provider names and issuers: a user's sessions are indexed by issuer. */
  providers: readonly { name: string; issuer: string }[];
}

/**
 * Sessions over Redis: the cookie holds a random id signed with `SESSION_SECRET`; the record is encrypted with
 * it too (as the cookie store's value is), so Redis alone reveals no token, and expires with the session.
 * The id cookie is the one Remix's `createSessionStorage` made before, so sessions survive the change.
 */
export function createRedisSessionStorage(
  { sessionSecrets, secureCookies, sessionMaxAge, providers }: RedisSessionSettings,
  redis: RedisConnection,
): RedisSessionStorage {
  const name = sessionIdCookieName(secureCookies);
  const attributes = { path: "/", secure: secureCookies };

  async function write(id: string, data: Partial<RedisSessionData>, maxAge: number) {
    const client = await redis.client();
    await client.set(sessionKey(id), await encrypt(data, sessionSecrets[0]!), {
      expiration: { type: "EX", value: Math.max(1, Math.ceil(maxAge)) },
    });
    const user = ownerOf(data);
    if (user) {
      const key = userKey(revocationScope({ providers }, user.realm), user.sub);
      await client.sAdd(key, id);
      await client.expire(key, sessionMaxAge);
    }
  }

  return {
    async getSession(cookieHeader) {
      const id = readSessionId(parseCookieHeader(cookieHeader)[name], sessionSecrets);
      if (!id) return new RedisSession("", {});
      const value = await (await redis.client()).get(sessionKey(id));
      const data =
        value === null ? null : ((await decrypt(value, sessionSecrets, Infinity)) as RedisSessionData | null);
      return new RedisSession(id, data ?? {});
    },
    async commitSession(session, { maxAge } = {}) {
      const id = session.id || randomBytes(32).toString("base64url");
      await write(id, session.values, maxAge ?? sessionMaxAge);
      return serializeCookie(name, signSessionId(id, sessionSecrets[0]!), { ...attributes, maxAge });
    },
    async destroySession(session) {
      if (session.id) await (await redis.client()).del(sessionKey(session.id));
      return serializeCookie(name, "", { ...attributes, maxAge: 0 });
    },
  };
}

/**
 * The id cookie's value as Remix's `createCookie` signs it (base64 of the JSON string, a dot, the HMAC-SHA256
 * of that in base64 without padding), URI-encoded for the header.
 */
export function signSessionId(id: string, secret: string): string {
  const value = Buffer.from(JSON.stringify(id)).toString("base64");
  return encodeURIComponent(`${value}.${hmac(value, secret)}`);
}

/** The id in a cookie value signed with one of `secrets`, or `null`. */
export function readSessionId(cookieValue: string | undefined, secrets: readonly string[]): string | null {
  if (!cookieValue) return null;
  let signed: string;
  try {
    signed = decodeURIComponent(cookieValue);
  } catch {
    return null;
  }
  const dot = signed.lastIndexOf(".");
  const value = signed.slice(0, dot);
  const signature = Buffer.from(signed.slice(dot + 1));
  const valid = secrets.some((secret) => {
    const expected = Buffer.from(hmac(value, secret));
    return dot > 0 && expected.length === signature.length && timingSafeEqual(expected, signature);
  });
  if (!valid) return null;
  try {
    const id: unknown = JSON.parse(Buffer.from(value, "base64").toString());
    return typeof id === "string" && id !== "" ? id : null;
  } catch {
    return null;
  }
}

const hmac = (value: string, secret: string) =>
  createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "");

function ownerOf(data: Partial<RedisSessionData>): { realm: string; sub: string } | null {
  const user = (data.auth as { user?: { realm?: unknown; sub?: unknown } } | undefined)?.user;
  return typeof user?.realm === "string" && typeof user.sub === "string" ? { realm: user.realm, sub: user.sub } : null;
}

/**
 * Ends every session kept in Redis of the user `sub` at the provider of `issuer`, on every instance, with one
 * delete; returns how many there were.
 */
export async function endAllRedisSessions(redis: RedisConnection, issuer: string, sub: string): Promise<number> {
  const client = await redis.client();
  const ids = await client.sMembers(userKey(issuer, sub));
  await client.del([userKey(issuer, sub), ...ids.map(sessionKey)]);
  return ids.length;
}
