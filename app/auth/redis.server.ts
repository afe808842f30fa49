import { createClient } from "@redis/client";

const CONNECT_TIMEOUT_MS = 2000;

function createRedisClient(url: string) {
  // Without the offline queue a command fails at once while Redis is down, instead of waiting for it.
  const client = createClient({ url, socket: { connectTimeout: CONNECT_TIMEOUT_MS }, disableOfflineQueue: true });
  // Errors surface on the commands; this keeps reconnect attempts from crashing the process.
  client.on("error", () => {});
  return client;
}
export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A connected client, or a rejection within a few seconds: node-redis's own
 * `connect()` keeps retrying a Redis that is down and never settles, which
 * would hang every request that waits for it. Once connected, the client
 * reconnects by itself after a drop.
 */
export function connectRedis(url: string): Promise<RedisClient> {
  const client = createRedisClient(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.destroy();
      reject(new Error(`no connection to Redis within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS + 500);
    client.connect().then(
      () => {
        clearTimeout(timer);
        resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        client.destroy();
        reject(error);
      },
    );
  });
}

/** `connect()` on first use and shared after; a failed connection is tried again by the next call. */
export function lazyRedis(url: () => string): () => Promise<RedisClient> {
  let connection: Promise<RedisClient> | undefined;
  return () => {
    connection ??= connectRedis(url()).catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  };
}
