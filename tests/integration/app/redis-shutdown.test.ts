// Stopping the production server (a deploy, `systemctl stop`) while it holds a Redis connection:
// remix-serve closes its HTTP server on SIGTERM and leaves the rest to the event loop.
import { afterEach, describe, expect, it } from "vitest";
import { CookieJar, browse } from "../../support/browserless";
import { logInOverHttp } from "../../support/login";
import { startRedis } from "../../support/redis";
import { startStack, type Stack } from "../../support/stack";

/** Far longer than an exit takes on a loaded machine (well under a second); the server that hangs never exits at all. */
const EXIT_WITHIN_MS = 15_000;

let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
let stack: Stack | undefined;

afterEach(async () => {
  await stack?.stop();
  await redis?.stop();
  stack = redis = undefined;
});

/** A signed-in user whose session lives in Redis: the server's Redis connection is open. */
async function serverWithRedisSession(): Promise<{ running: Stack; jar: CookieJar }> {
  redis = await startRedis();
  stack = await startStack({ env: { SESSION_STORE: "redis", REDIS_URL: redis.url } });
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app: stack.app.url, idp: stack.idp.url })).status).toBe(302);
  expect(await (await browse(jar, `${stack.app.url}/`)).text()).toContain('data-testid="username"');
  return { running: stack, jar };
}

/** How the process ended, or "still running" when it had not within EXIT_WITHIN_MS. */
async function exitAfterSigterm({ app }: Stack) {
  process.kill(app.pid, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const stillRunning = new Promise<"still running">((resolve) => {
    timer = setTimeout(() => resolve("still running"), EXIT_WITHIN_MS);
  });
  return Promise.race([app.exited, stillRunning]).finally(() => clearTimeout(timer));
}

describe("SIGTERM with a Redis connection open", () => {
  it(
    "ends the server after a request that used Redis, with exit code 0 as without Redis",
    async () => {
      const { running } = await serverWithRedisSession();
      expect(await exitAfterSigterm(running), running.app.output()).toEqual({ code: 0, signal: null });
    },
    EXIT_WITHIN_MS + 30_000,
  );

  it(
    "ends the server while Redis is down and the client keeps trying to reconnect",
    async () => {
      const { running, jar } = await serverWithRedisSession();
      await redis!.stop();
      // The session cannot be read (node-redis saw the connection drop and retries in the background).
      expect((await browse(jar, `${running.app.url}/`)).status).toBe(503);
      expect(await exitAfterSigterm(running), running.app.output()).toEqual({ code: 0, signal: null });
    },
    EXIT_WITHIN_MS + 30_000,
  );
});
