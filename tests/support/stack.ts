import { startIdp } from "../../dev/idp/index.js";
import { freePort, startApp, TEST_CLIENT, type RunningApp } from "./app";

export type Idp = Awaited<ReturnType<typeof startIdp>>;

export interface Stack {
  idp: Idp;
  app: RunningApp;
  stop(): Promise<void>;
}

/** The embedded IdP (realm `demo`) and the production build of the app, registered with each other. */
export async function startStack({ env = {} }: { env?: Record<string, string> } = {}): Promise<Stack> {
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  const idp = await startIdp({
    realms: {
      demo: {
        clients: [
          {
            ...TEST_CLIENT,
            redirectUris: [`${appUrl}/auth/demo/callback`],
            postLogoutRedirectUris: [`${appUrl}/`],
          },
        ],
      },
    },
  });
  try {
    const app = await startApp({ port, env: { KEYCLOAK_URL: idp.url, KEYCLOAK_REALM: "demo", ...env } });
    return {
      idp,
      app,
      async stop() {
        await app.stop();
        await idp.close();
      },
    };
  } catch (error) {
    await idp.close();
    throw error;
  }
}
