import { randomBytes } from "node:crypto";
import { createCookie, createSessionStorage, type Session } from "@remix-run/node";
import { getConfig } from "../core/config.server";
import { lazyRedis } from "./redis.server";
import { decrypt, encrypt } from "./sealed-cookie.server";

/**
 * The cookie that holds only the session's id when the session lives in Redis;
 * `__Host-` when cookies are Secure, like the session cookies, so a sibling
 * subdomain cannot plant one.
 */
export const sessionIdCookieName = () => (getConfig().secureCookies ? "__Host-session_id" : "__session_id");
const PREFIX = "remix-keycloak:session:";

/** What a Redis session record holds: the auth session as stored (session-data.server.ts `toStored`), under one key. */
export interface RedisSessionData {
  auth: unknown;
}
export type RedisSession = Session<RedisSessionData>;

let storage: ReturnType<typeof createRedisSessionStorage> | undefined;

/** The app's Redis connection (`REDIS_URL`), for sessions and token renewals. Connects on first use; a failed connection is tried again by the next call. */
export const redis = lazyRedis(() => getConfig().redisUrl!);

const sessionKey = (id: string) => `${PREFIX}${id}`;
/** The ids of one user's sessions, so that "log out of all my sessions" is one delete. */
const userKey = (realm: string, sub: string) => `${PREFIX}user:${realm}:${sub}`;

/**
 * Remix's own SessionStorage (`createSessionStorage`) over Redis: the cookie
 * holds a random id signed with `SESSION_SECRET`; the record is encrypted with
 * it too (as the cookie store's value is), so Redis alone reveals no token, and
 * expires with the session.
 */
function createRedisSessionStorage() {
  const { sessionSecrets, secureCookies } = getConfig();
  const ttl = (expires?: Date) =>
    Math.max(1, Math.ceil(((expires?.getTime() ?? Date.now() + getConfig().sessionMaxAge * 1000) - Date.now()) / 1000));

  async function write(id: string, data: Partial<RedisSessionData>, expires?: Date) {
    const client = await redis();
    const seconds = ttl(expires);
    await client.set(sessionKey(id), await encrypt(data, sessionSecrets[0]!), {
      expiration: { type: "EX", value: seconds },
    });
    const user = ownerOf(data);
    if (user) {
      await client.sAdd(userKey(user.realm, user.sub), id);
      await client.expire(userKey(user.realm, user.sub), getConfig().sessionMaxAge);
    }
  }

  return createSessionStorage<RedisSessionData>({
    cookie: createCookie(sessionIdCookieName(), {
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
      const value = await (await redis()).get(sessionKey(id));
      return value === null ? null : ((await decrypt(value, sessionSecrets, Infinity)) as RedisSessionData | null);
    },
    updateData: write,
    async deleteData(id) {
      await (await redis()).del(sessionKey(id));
    },
  });
}

export function redisSessionStorage() {
  storage ??= createRedisSessionStorage();
  return storage;
}

function ownerOf(data: Partial<RedisSessionData>): { realm: string; sub: string } | null {
  const user = (data.auth as { user?: { realm?: unknown; sub?: unknown } } | undefined)?.user;
  return typeof user?.realm === "string" && typeof user.sub === "string" ? { realm: user.realm, sub: user.sub } : null;
}

/** Ends every session of one user kept in Redis, on every instance, with one delete; returns how many there were. */
export async function endAllRedisSessions(realm: string, sub: string): Promise<number> {
  const client = await redis();
  const ids = await client.sMembers(userKey(realm, sub));
  await client.del([userKey(realm, sub), ...ids.map(sessionKey)]);
  return ids.length;
}
