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
        letGoOnStop(client);
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

const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;
const connected = new Set<RedisClient>();
let listening = false;
let stopping = false;

/**
 * remix-serve answers SIGTERM and SIGINT by closing its HTTP server, and the process ends when nothing else
 * holds it: an open Redis connection held it until SIGKILL. On either signal the connections stop holding
 * it; requests still in flight can use them until they finish.
 */
function letGoOnStop(client: RedisClient): void {
  if (stopping) return letGo(client);
  if (!listening) for (const signal of STOP_SIGNALS) process.prependOnceListener(signal, stop);
  listening = true;
  connected.add(client);
  client.once("end", () => connected.delete(client));
}

function stop(signal: NodeJS.Signals): void {
  stopping = true;
  for (const other of STOP_SIGNALS) process.removeListener(other, stop);
  for (const client of connected) letGo(client);
  // No one else handles the signal (a server other than remix-serve): ending the process is the default.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** A connection that is up no longer holds the process; one that is down is dropped, or its retries would. */
function letGo(client: RedisClient): void {
  if (!client.isReady) return client.destroy();
  client.unref();
  client.once("reconnecting", () => client.destroy());
}

/** One Redis connection, made on first use and shared after. */
export interface RedisConnection {
  /** The connected client; a failed connection is tried again by the next call. */
  client(): Promise<RedisClient>;
  /** Closes the connection, if one was made. */
  close(): Promise<void>;
}

export function lazyRedis(url: string): RedisConnection {
  let connection: Promise<RedisClient> | undefined;
  return {
    client() {
      connection ??= connectRedis(url).catch((error: unknown) => {
        connection = undefined;
        throw error;
      });
      return connection;
    },
    async close() {
      const client = await connection?.catch(() => undefined);
      connection = undefined;
      if (client?.isOpen) await client.close();
    },
  };
}
