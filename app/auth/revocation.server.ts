import { getConfig } from "./config.server";
import { lazyRedis, type RedisClient } from "./redis.server";

/**
 * Where back-channel logouts are recorded, so every app instance treats the
 * sessions they ended as logged out.
 */
export interface RevocationStore {
  /** Sessions matching `key` and created at or before `at` (`orderedNow()`) are ended; forgotten after `ttlSeconds`. */
  revoke(key: string, at: number, ttlSeconds: number): Promise<void>;
  /** The latest revocation time of any of `keys`, or `null`. */
  revokedAt(keys: readonly string[]): Promise<number | null>;
  /** Records a one-time id (a logout token's `iss#jti`, a logout `state`); `false` when it was recorded before (a replay). */
  useOnce(id: string, ttlSeconds: number): Promise<boolean>;
}

/** One process: the default. */
export class MemoryRevocationStore implements RevocationStore {
  #entries = new Map<string, { value: number; expiresAt: number }>();
  #writes = 0;

  async revoke(key: string, at: number, ttlSeconds: number) {
    this.#set(`revoked:${key}`, Math.max(at, this.#get(`revoked:${key}`) ?? 0), ttlSeconds);
  }

  async revokedAt(keys: readonly string[]) {
    const times = keys.map((key) => this.#get(`revoked:${key}`)).filter((at): at is number => at !== null);
    return times.length > 0 ? Math.max(...times) : null;
  }

  async useOnce(id: string, ttlSeconds: number) {
    if (this.#get(`jti:${id}`) !== null) return false;
    this.#set(`jti:${id}`, 1, ttlSeconds);
    return true;
  }

  #get(key: string): number | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.#entries.delete(key);
    return null;
  }

  #set(key: string, value: number, ttlSeconds: number) {
    this.#entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    // Expired entries of keys never read again are swept now and then.
    if (++this.#writes % 1000 === 0) {
      const now = Date.now();
      for (const [name, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(name);
    }
  }
}

/** Keeps the later of the stored and the new revocation time, atomically: two instances may revoke one key at once. */
const REVOKE_SCRIPT = `
local previous = tonumber(redis.call("GET", KEYS[1]) or "0")
local at = tonumber(ARGV[1])
redis.call("SET", KEYS[1], at > previous and ARGV[1] or tostring(previous), "EX", ARGV[2])`;

/** Shared by every app instance using the same Redis (`REDIS_URL`). */
export class RedisRevocationStore implements RevocationStore {
  readonly #prefix: string;
  readonly #connect: () => Promise<RedisClient>;

  constructor(url: string, { prefix = "remix-keycloak:" } = {}) {
    this.#prefix = prefix;
    this.#connect = lazyRedis(() => url);
  }

  /** Connects on first use; a failed connection is tried again by the next call. */
  get #redis(): Promise<RedisClient> {
    return this.#connect();
  }

  async revoke(key: string, at: number, ttlSeconds: number) {
    const redis = await this.#redis;
    const name = `${this.#prefix}revoked:${key}`;
    await redis.eval(REVOKE_SCRIPT, { keys: [name], arguments: [String(at), String(ttlSeconds)] });
  }

  async revokedAt(keys: readonly string[]) {
    const redis = await this.#redis;
    const values = await redis.mGet(keys.map((key) => `${this.#prefix}revoked:${key}`));
    const times = values.filter((value): value is string => value !== null).map(Number);
    return times.length > 0 ? Math.max(...times) : null;
  }

  async useOnce(id: string, ttlSeconds: number) {
    const redis = await this.#redis;
    const stored = await redis.set(`${this.#prefix}jti:${id}`, "1", {
      condition: "NX",
      expiration: { type: "EX", value: ttlSeconds },
    });
    return stored === "OK";
  }
}

let store: RevocationStore | undefined;

export function getRevocationStore(): RevocationStore {
  const { redisUrl } = getConfig();
  store ??= redisUrl ? new RedisRevocationStore(redisUrl) : new MemoryRevocationStore();
  return store;
}

/** The keys a back-channel logout revokes, and a session is checked against. */
export function revocationKeys(realm: string, { sid, sub }: { sid?: string; sub?: string }): string[] {
  const keys: string[] = [];
  if (sid) keys.push(`${realm}:sid:${sid}`);
  if (sub) keys.push(`${realm}:sub:${sub}`);
  return keys;
}
