import { LRUCache } from "lru-cache";
import type { AppConfig } from "../core/config.server";
import type { AuthLog } from "../core/log.server";
import { lazyRedis, type RedisConnection } from "./redis.server";
import { MemoryRevocationStore, RedisRevocationStore, type RevocationStore } from "./revocation.server";
import type { AuthSessionData } from "./session-data.server";
import { createRedisSessionStorage, type RedisSession, type RedisSessionStorage } from "./session-redis.server";

/** A session as read, and where from: the cookie, or the Redis record its id cookie names. */
export interface LoadedSession {
  session: AuthSessionData;
  redis: RedisSession | null;
}

/** The session layer of one auth instance: its configuration, and every piece of state it keeps. */
export interface SessionContext {
  readonly config: AppConfig;
  readonly log: AuthLog;
  /** The connection to REDIS_URL, shared by sessions, revocations and token renewals; `null` without one. */
  readonly redis: RedisConnection | null;
  /** Sessions kept in Redis (SESSION_STORE=redis, or one too large for the cookie); `null` without REDIS_URL. */
  readonly redisSessions: RedisSessionStorage | null;
  /** Where logouts are recorded: Redis when configured (every instance sees them), else this process. */
  readonly revocations: RevocationStore;
  /**
   * Encrypted cookie value -> session, for the sessions seen last: every request of a session carries the
   * same cookie, and decrypting and inflating it was most of what authentication cost per request. Only
   * values that decrypted are kept; expiry and revocation are still checked on every request.
   */
  readonly decrypted: LRUCache<string, AuthSessionData>;
  /** Each request's session, read once however many loaders ask. */
  readonly loaded: WeakMap<Request, Promise<LoadedSession | null>>;
}

export function createSessionContext(config: AppConfig, log: AuthLog): SessionContext {
  const redis = config.redisUrl ? lazyRedis(config.redisUrl) : null;
  return {
    config,
    log,
    redis,
    redisSessions: redis && createRedisSessionStorage(config, redis),
    revocations: redis ? new RedisRevocationStore(redis) : new MemoryRevocationStore(),
    decrypted: new LRUCache({ max: 1000 }),
    loaded: new WeakMap(),
  };
}
