import { hash } from "node:crypto";
import type { RedisClient, RedisConnection } from "./redis.server";

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
  /**
   * `revoke` of each key, then `useOnce(id)`, as one step that no other call
   * interleaves: `false` (and nothing revoked) when `id` was recorded before.
   * A failure part-way leaves `id` unrecorded, so the sender's retry is not
   * taken for a replay.
   */
  revokeOnce(
    id: string,
    idTtlSeconds: number,
    revocation: { keys: readonly string[]; at: number; ttlSeconds: number },
  ): Promise<boolean>;
}

type RevocationRequest = Parameters<RevocationStore["revokeOnce"]>[2];

/**
 * One process: the default. Every logout is kept for `SESSION_MAX_AGE` (8 h by
 * default), so at a high logout rate this holds many entries: each is a 64-bit
 * digest of its key, its time and its expiry in typed arrays (see
 * `DigestTable`), about 40 bytes, with no object per entry (bench/README.md, "Memory").
 */
export class MemoryRevocationStore implements RevocationStore {
  #table = new DigestTable();

  async revoke(key: string, at: number, ttlSeconds: number) {
    this.#keepLater(key, at, ttlSeconds);
  }

  async revokedAt(keys: readonly string[]) {
    const times = keys.map((key) => this.#table.get(`revoked:${key}`)).filter((at): at is number => at !== null);
    return times.length > 0 ? Math.max(...times) : null;
  }

  async useOnce(id: string, ttlSeconds: number) {
    if (this.#table.get(`jti:${id}`) !== null) return false;
    this.#table.set(`jti:${id}`, 1, ttlSeconds);
    return true;
  }

  // Synchronous from the check to the record: nothing can interleave.
  async revokeOnce(id: string, idTtlSeconds: number, { keys, at, ttlSeconds }: RevocationRequest) {
    if (this.#table.get(`jti:${id}`) !== null) return false;
    for (const key of keys) this.#keepLater(key, at, ttlSeconds);
    this.#table.set(`jti:${id}`, 1, idTtlSeconds);
    return true;
  }

  #keepLater(key: string, at: number, ttlSeconds: number) {
    this.#table.set(`revoked:${key}`, Math.max(at, this.#table.get(`revoked:${key}`) ?? 0), ttlSeconds);
  }
}

/**
 * Key -> number, each entry forgotten after its time to live, in an
 * open-addressing hash table of typed arrays: per slot a 64-bit SHA-256 digest
 * of the key, the value and the expiry in whole seconds, 20 bytes. The table
 * is rebuilt without the expired entries when 70 % of its slots are taken,
 * at 35 % load. Two keys sharing a digest would share an entry: with a million
 * entries, one lookup in about 10^13 could see a revocation meant for another key.
 */
class DigestTable {
  static readonly #MIN_SLOTS = 1024;
  #slots = 0;
  #digests = new Uint32Array(0); // two words per slot
  #values = new Float64Array(0);
  #expires = new Uint32Array(0); // seconds since the epoch; 0: an empty slot
  #taken = 0;

  constructor() {
    this.#resize(DigestTable.#MIN_SLOTS);
  }

  get(key: string): number | null {
    const slot = this.#find(digestOf(key));
    if (this.#expires[slot] === 0 || this.#expires[slot]! <= Date.now() / 1000) return null;
    return this.#values[slot]!;
  }

  set(key: string, value: number, ttlSeconds: number) {
    const digest = digestOf(key);
    let slot = this.#find(digest);
    if (this.#expires[slot] === 0) {
      if (this.#taken + 1 > this.#slots * 0.7) {
        // One `now` for counting and copying: the new table then always has room (a full one would loop in #find).
        const now = Date.now() / 1000;
        this.#resize(Math.max(DigestTable.#MIN_SLOTS, Math.ceil((this.#live(now) + 1) / 0.35)), now);
        slot = this.#find(digest);
      }
      this.#taken++;
      this.#digests[2 * slot] = digest[0]!;
      this.#digests[2 * slot + 1] = digest[1]!;
    }
    this.#values[slot] = value;
    this.#expires[slot] = Math.ceil(Date.now() / 1000 + ttlSeconds);
  }

  /** The slot holding `digest`, or the empty slot where it would go (linear probing). */
  #find([high, low]: readonly [number, number]): number {
    for (let slot = low % this.#slots; ; slot = (slot + 1) % this.#slots) {
      if (this.#expires[slot] === 0) return slot;
      if (this.#digests[2 * slot] === high && this.#digests[2 * slot + 1] === low) return slot;
    }
  }

  #live(now: number): number {
    let live = 0;
    for (let slot = 0; slot < this.#slots; slot++) if (this.#expires[slot]! > now) live++;
    return live;
  }

  #resize(slots: number, now = Date.now() / 1000) {
    const [digests, values, expires, oldSlots] = [this.#digests, this.#values, this.#expires, this.#slots];
    this.#slots = slots;
    this.#digests = new Uint32Array(2 * slots);
    this.#values = new Float64Array(slots);
    this.#expires = new Uint32Array(slots);
    this.#taken = 0;
    for (let old = 0; old < oldSlots; old++) {
      if (expires[old]! <= now) continue;
      const slot = this.#find([digests[2 * old]!, digests[2 * old + 1]!]);
      this.#digests[2 * slot] = digests[2 * old]!;
      this.#digests[2 * slot + 1] = digests[2 * old + 1]!;
      this.#values[slot] = values[old]!;
      this.#expires[slot] = expires[old]!;
      this.#taken++;
    }
  }
}

function digestOf(key: string): [number, number] {
  const digest = hash("sha256", key, "buffer");
  return [digest.readUInt32LE(0), digest.readUInt32LE(4)];
}

/** Keeps the later of the stored and the new revocation time, atomically: two instances may revoke one key at once. */
const KEEP_LATER = `
local function keepLater(key, at, ttl)
  local stored = redis.call("GET", key)
  -- The stored text itself, not tostring(): Lua prints 14 digits, which would round off sub-millisecond times.
  if stored and tonumber(stored) >= tonumber(at) then at = stored end
  redis.call("SET", key, at, "EX", ttl)
end`;
const REVOKE_SCRIPT = `${KEEP_LATER}
keepLater(KEYS[1], ARGV[1], ARGV[2])`;
/**
 * KEYS: the one-time id, then the revocation keys; ARGV: the id's TTL, the
 * time, the revocations' TTL. The id is recorded last: Redis does not undo a
 * script's earlier writes when a later command fails, and a retry must find the id unrecorded.
 */
const REVOKE_ONCE_SCRIPT = `${KEEP_LATER}
if redis.call("EXISTS", KEYS[1]) == 1 then return 0 end
for i = 2, #KEYS do keepLater(KEYS[i], ARGV[2], ARGV[3]) end
redis.call("SET", KEYS[1], "1", "EX", ARGV[1])
return 1`;

/** Shared by every app instance using the same Redis (`REDIS_URL`). */
export class RedisRevocationStore implements RevocationStore {
  readonly #prefix: string;
  readonly #redis: RedisConnection;

  constructor(redis: RedisConnection, { prefix = "remix-keycloak:" } = {}) {
    this.#prefix = prefix;
    this.#redis = redis;
  }

  /** Connects on first use; a failed connection is tried again by the next call. */
  get #client(): Promise<RedisClient> {
    return this.#redis.client();
  }

  async revoke(key: string, at: number, ttlSeconds: number) {
    const redis = await this.#client;
    const name = `${this.#prefix}revoked:${key}`;
    await redis.eval(REVOKE_SCRIPT, { keys: [name], arguments: [String(at), String(ttlSeconds)] });
  }

  async revokedAt(keys: readonly string[]) {
    const redis = await this.#client;
    const values = await redis.mGet(keys.map((key) => `${this.#prefix}revoked:${key}`));
    const times = values.filter((value): value is string => value !== null).map(Number);
    return times.length > 0 ? Math.max(...times) : null;
  }

  async useOnce(id: string, ttlSeconds: number) {
    const redis = await this.#client;
    const stored = await redis.set(`${this.#prefix}jti:${id}`, "1", {
      condition: "NX",
      expiration: { type: "EX", value: ttlSeconds },
    });
    return stored === "OK";
  }

  async revokeOnce(id: string, idTtlSeconds: number, { keys, at, ttlSeconds }: RevocationRequest) {
    const redis = await this.#client;
    const recorded = await redis.eval(REVOKE_ONCE_SCRIPT, {
      keys: [`${this.#prefix}jti:${id}`, ...keys.map((key) => `${this.#prefix}revoked:${key}`)],
      arguments: [String(idTtlSeconds), String(at), String(ttlSeconds)],
    });
    return recorded === 1;
  }
}

/**
 * What revocations of a provider's sessions are keyed by: its issuer, not its name. A `sub` is unique only
 * within its issuer (OpenID Connect Core 2), and instances of other configurations may share the Redis.
 */
export function revocationScope(config: { providers: readonly { name: string; issuer: string }[] }, name: string) {
  return config.providers.find((provider) => provider.name === name)?.issuer ?? name;
}

/** The keys a back-channel logout revokes, and a session is checked against; `scope` from `revocationScope`. */
export function revocationKeys(scope: string, { sid, sub }: { sid?: string; sub?: string }): string[] {
  const keys: string[] = [];
  if (sid) keys.push(`${scope}:sid:${sid}`);
  if (sub) keys.push(`${scope}:sub:${sub}`);
  return keys;
}
