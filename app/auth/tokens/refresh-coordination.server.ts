import { setTimeout as sleep } from "node:timers/promises";
import { AuthError } from "../core/errors";
import { decrypt, encrypt } from "../session/sealed-cookie.server";
import type { RedisConnection } from "../session/redis.server";
import type { SessionTokens } from "../session/token-set";

const PREFIX = "remix-keycloak:refresh:";
/** How long other instances can still use a renewal's result: as long as a browser may send the old cookie. */
const RESULT_TTL_SECONDS = 60;
const POLL_MS = 50;

type Outcome = { tokens: SessionTokens } | { refused: string };

/**
 * Renews one refresh token once across every instance sharing Redis: the
 * first takes a lock and renews; the others wait for its outcome, kept 60 s
 * and encrypted with `SESSION_SECRET` (it holds tokens). Without that, two
 * instances given the same cookie at once would both present the refresh
 * token, and the provider would refuse the second as reused. When Redis
 * cannot be reached the renewal goes ahead locally, as with one instance.
 */
export async function refreshAcrossInstances(
  key: string,
  refresh: () => Promise<SessionTokens>,
  {
    redis,
    secrets,
    waitMs,
    onStoreError,
  }: { redis: RedisConnection; secrets: readonly string[]; waitMs: number; onStoreError: (error: unknown) => void },
): Promise<SessionTokens> {
  const [resultKey, lockKey] = [`${PREFIX}result:${key}`, `${PREFIX}lock:${key}`];
  // A little past the lock's expiry, so a lock left by a crashed instance is taken over, not waited out.
  const deadline = Date.now() + waitMs + 1000;
  for (;;) {
    let locked: boolean;
    try {
      const client = await redis.client();
      const known = await outcomeOf(await client.get(resultKey), secrets);
      if (known) return known;
      locked =
        (await client.set(lockKey, "1", { condition: "NX", expiration: { type: "PX", value: waitMs } })) === "OK";
      // Read again under the lock: the holder before may have saved its outcome between the read and the lock.
      const saved = locked ? await outcomeOf(await client.get(resultKey), secrets) : null;
      if (saved) return saved;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      onStoreError(error);
      return refresh();
    }
    if (locked) return refreshLocked(redis, refresh, resultKey, lockKey, secrets[0]!);
    if (Date.now() > deadline)
      throw new AuthError("idp_unreachable", "another instance's token renewal did not finish in time");
    await sleep(POLL_MS);
  }
}

/** The tokens of a saved outcome, or the AuthError it was; `null` when there is none yet. */
async function outcomeOf(stored: string | null, secrets: readonly string[]): Promise<SessionTokens | null> {
  const outcome = stored === null ? null : ((await decrypt(stored, secrets, Infinity)) as Outcome | null);
  if (outcome && "refused" in outcome) throw new AuthError("session_ended", `another instance: ${outcome.refused}`);
  return outcome?.tokens ?? null;
}

async function refreshLocked(
  redis: RedisConnection,
  refresh: () => Promise<SessionTokens>,
  resultKey: string,
  lockKey: string,
  secret: string,
) {
  const save = async (outcome: Outcome) => {
    const client = await redis.client();
    await client.set(resultKey, await encrypt(outcome, secret), {
      expiration: { type: "EX", value: RESULT_TTL_SECONDS },
    });
  };
  // The lock is released only when no outcome was saved (the provider could not be reached): then the next one tries.
  const release = () =>
    redis
      .client()
      .then((client) => client.del(lockKey))
      .catch(() => {});
  let tokens: SessionTokens;
  try {
    tokens = await refresh();
  } catch (error) {
    const refused = error instanceof AuthError && error.code === "session_ended";
    // A refused refresh token is final for every instance.
    if (
      !refused ||
      !(await save({ refused: error.detail }).then(
        () => true,
        () => false,
      ))
    )
      await release();
    throw error;
  }
  if (
    !(await save({ tokens }).then(
      () => true,
      () => false,
    ))
  )
    await release();
  return tokens;
}
