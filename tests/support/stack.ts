import { envName } from "../../app/auth/core/config.server";
import { appClient } from "../../dev/idp/app-client.js";
import { startIdp } from "../../dev/idp/index.js";
import type { ClientConfig, Personality } from "../../dev/idp/provider.js";
import { freePort, startApp, TEST_CLIENT, type RunningApp } from "./app";

export type Idp = Awaited<ReturnType<typeof startIdp>>;

export interface Stack {
  idp: Idp;
  app: RunningApp;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Keycloak realms served by the IdP and the app; the first is the default. */
  realms?: string[];
  /** Realms of the IdP that the app uses as generic OpenID providers (OIDC_PROVIDERS). */
  oidcProviders?: {
    name: string;
    label?: string;
    endSession?: boolean;
    /** How the provider differs from Keycloak (dev/idp/provider.js). */
    personality?: Personality;
    /** How the app's client authenticates there; for private_key_jwt the IdP reads the app's /auth/jwks.json. */
    tokenEndpointAuthMethod?: ClientConfig["tokenEndpointAuthMethod"];
  }[];
  /** A client of its own for some realms, configured with KEYCLOAK_REALM_<NAME>_CLIENT_ID/_SECRET. */
  realmClients?: Record<string, { clientId: string; clientSecret: string }>;
  /** The IdP's users, instead of demo and big. */
  users?: Parameters<typeof startIdp>[0]["users"];
  /** Lifetime of the IdP's access tokens in seconds (300 by default). */
  accessTokenTtl?: number;
  /** `false`: the realms' client has no back-channel logout URL, so a logout at the IdP reaches the app only through its tokens. */
  backchannelLogout?: boolean;
  /**
   * The public origin when a proxy is in front (its APP_URL, where the IdP
   * sends the browser back); the app then listens on 127.0.0.1 only.
   */
  publicUrl?: string;
  env?: Record<string, string>;
  /** Another app than the Remix one: `REACT_ROUTER_APP` (./app.ts). */
  app?: { cwd: string; serve: string[] };
}

/** The embedded IdP and the production build of the app, registered with each other. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const {
    realms = ["demo"],
    oidcProviders = [],
    realmClients = {},
    users,
    env = {},
    accessTokenTtl,
    backchannelLogout = true,
    publicUrl,
    app: otherApp,
  } = options;
  const port = await freePort();
  const appUrl = publicUrl ?? `http://localhost:${port}`;
  const client = (name: string) =>
    appClient(appUrl, name, { ...(realmClients[name] ?? TEST_CLIENT), backchannel: backchannelLogout });
  const idpRealms = Object.fromEntries([
    ...realms.map((name) => [name, { clients: [client(name)] }]),
    ...oidcProviders.map(({ name, endSession, personality, tokenEndpointAuthMethod }) => [
      name,
      {
        clients: [{ ...client(name), tokenEndpointAuthMethod, jwksUri: `${appUrl}/auth/jwks.json` }],
        endSession,
        personality,
      },
    ]),
  ]);
  const idp = await startIdp({ realms: idpRealms, ...(users && { users }), ...(accessTokenTtl && { accessTokenTtl }) });

  const appEnv: Record<string, string> = {
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_REALM: realms[0]!,
    KEYCLOAK_REALMS: realms.join(","),
    OIDC_PROVIDERS: oidcProviders.map(({ name }) => name).join(","),
  };
  for (const [name, { clientId, clientSecret }] of Object.entries(realmClients)) {
    appEnv[`KEYCLOAK_REALM_${envName(name)}_CLIENT_ID`] = clientId;
    appEnv[`KEYCLOAK_REALM_${envName(name)}_CLIENT_SECRET`] = clientSecret;
  }
  for (const { name, label } of oidcProviders) {
    const prefix = `OIDC_PROVIDER_${envName(name)}`;
    Object.assign(appEnv, {
      [`${prefix}_ISSUER`]: idp.issuer(name),
      [`${prefix}_CLIENT_ID`]: TEST_CLIENT.clientId,
      [`${prefix}_CLIENT_SECRET`]: TEST_CLIENT.clientSecret,
      ...(label && { [`${prefix}_LABEL`]: label }),
    });
  }

  try {
    if (publicUrl) Object.assign(appEnv, { APP_URL: publicUrl, HOST: "127.0.0.1" });
    const app = await startApp({ port, env: { ...appEnv, ...env }, ...otherApp });
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
