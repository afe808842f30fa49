import { startIdp } from "../../dev/idp/index.js";
import { freePort, startApp, TEST_CLIENT, type RunningApp } from "./app";
import { startRedis } from "./redis";

export interface TwoInstances {
  redis: Awaited<ReturnType<typeof startRedis>>;
  idp: Awaited<ReturnType<typeof startIdp>>;
  a: RunningApp;
  b: RunningApp;
  stop(): Promise<void>;
}

/**
 * Two instances of the production app, as behind a load balancer, sharing a
 * real Redis (`REDIS_URL`), both registered with realm `demo` of one dev IdP.
 */
export async function startTwoInstances(idpOptions: { accessTokenTtl?: number } = {}): Promise<TwoInstances> {
  const redis = await startRedis();
  const [portA, portB] = [await freePort(), await freePort()];
  const urls = [portA, portB].map((port) => `http://localhost:${port}`);
  const idp = await startIdp({
    ...idpOptions,
    realms: {
      demo: {
        clients: [
          {
            ...TEST_CLIENT,
            redirectUris: urls.map((url) => `${url}/auth/demo/callback`),
            postLogoutRedirectUris: urls.map((url) => `${url}/logout/callback`),
          },
        ],
      },
    },
  });
  const env = { KEYCLOAK_URL: idp.url, KEYCLOAK_REALM: "demo", REDIS_URL: redis.url };
  const [a, b] = await Promise.all([startApp({ port: portA, env }), startApp({ port: portB, env })]);
  return {
    redis,
    idp,
    a,
    b,
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await idp.close();
      await redis.stop();
    },
  };
}
