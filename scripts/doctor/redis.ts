// REDIS_URL: the one Redis all instances share.
import { createClient } from "@redis/client";
import { describe, urlWithoutCredentials, type CheckResult } from "./result";

/** The one Redis all instances share for back-channel logouts: connect and PING. */
export async function checkRedis(redisUrl: string, timeoutMs: number): Promise<CheckResult> {
  const name = "REDIS_URL";
  const where = urlWithoutCredentials(redisUrl);
  const client = createClient({ url: redisUrl, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on("error", () => {}); // the failure is reported by connect() or ping()
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeoutMs,
    );
    return { name, ok: true, detail: `${where} answered PING` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `${where}: ${describe(error)}`,
      fix: "check REDIS_URL (redis://[:password@]host:6379, rediss:// for TLS) and that Redis runs and accepts connections from this host; a single app instance can do without it (unset REDIS_URL)",
    };
  } finally {
    if (client.isOpen) client.destroy();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
