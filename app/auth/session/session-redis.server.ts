import { randomBytes } from "node:crypto";
import { createCookie, createSessionStorage, type Session, type SessionStorage } from "@remix-run/node";
import type { RedisConnection } from "./redis.server";
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
export type RedisSession = Session<RedisSessionData>;
export type RedisSessionStorage = SessionStorage<RedisSessionData>;

const sessionKey = (id: string) => `${PREFIX}${id}`;
/** The ids of one user's sessions, so that "log out of all my sessions" is one delete. */
const userKey = (realm: string, sub: string) => `${PREFIX}user:${realm}:${sub}`;

interface RedisSessionSettings {
  sessionSecrets: readonly string[];
  secureCookies: boolean;
  /** Seconds: a record without an expiry of its own lives this long. */
  sessionMaxAge: number;
}

/**
 * Remix's own SessionStorage (`createSessionStorage`) over Redis: the cookie
 * holds a random id signed with `SESSION_SECRET`; the record is encrypted with
 * it too (as the cookie store's value is), so Redis alone reveals no token, and
 * expires with the session.
 */
export function createRedisSessionStorage(
  { sessionSecrets, secureCookies, sessionMaxAge }: RedisSessionSettings,
  redis: RedisConnection,
): RedisSessionStorage {
  const ttl = (expires?: Date) =>
    Math.max(1, Math.ceil(((expires?.getTime() ?? Date.now() + sessionMaxAge * 1000) - Date.now()) / 1000));

  async function write(id: string, data: Partial<RedisSessionData>, expires?: Date) {
    const client = await redis.client();
    const seconds = ttl(expires);
    await client.set(sessionKey(id), await encrypt(data, sessionSecrets[0]!), {
      expiration: { type: "EX", value: seconds },
    });
    const user = ownerOf(data);
    if (user) {
      await client.sAdd(userKey(user.realm, user.sub), id);
      await client.expire(userKey(user.realm, user.sub), sessionMaxAge);
    }
  }

  return createSessionStorage<RedisSessionData>({
    cookie: createCookie(sessionIdCookieName(secureCookies), {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secureCookies,
      secrets: [...sessionSecrets],
    }),
    async createData(data, expires) {
      const id = randomBytes(32).toString("base64url");
      await write(id, data, expires);
      return id;
    },
    async readData(id) {
      const value = await (await redis.client()).get(sessionKey(id));
      return value === null ? null : ((await decrypt(value, sessionSecrets, Infinity)) as RedisSessionData | null);
    },
    updateData: write,
    async deleteData(id) {
      await (await redis.client()).del(sessionKey(id));
    },
  });
}

function ownerOf(data: Partial<RedisSessionData>): { realm: string; sub: string } | null {
  const user = (data.auth as { user?: { realm?: unknown; sub?: unknown } } | undefined)?.user;
  return typeof user?.realm === "string" && typeof user.sub === "string" ? { realm: user.realm, sub: user.sub } : null;
}

/** Ends every session of one user kept in Redis, on every instance, with one delete; returns how many there were. */
export async function endAllRedisSessions(redis: RedisConnection, realm: string, sub: string): Promise<number> {
  const client = await redis.client();
  const ids = await client.sMembers(userKey(realm, sub));
  await client.del([userKey(realm, sub), ...ids.map(sessionKey)]);
  return ids.length;
}
