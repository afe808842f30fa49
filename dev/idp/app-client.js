// The app's client as the dev IdP registers it: one definition for `npm run
// dev`, `npm run idp` and the tests.
import { appUrlFrom, envName, listed } from "../app-env.js";

/** What `npm run dev` and `npm run idp` use when KEYCLOAK_CLIENT_SECRET is unset. */
export const DEV_CLIENT_SECRET = "dev-secret";

/**
 * The app's client in realm `realm`: the app's callback for that realm, its
 * logout callback (and its home page), and, with `backchannel`, its
 * back-channel logout URL.
 * @param {string} appUrl  the app's origin, e.g. "http://localhost:3000"
 * @param {string} realm   the name the app knows the realm by (a realm, or a provider of OIDC_PROVIDERS)
 * @param {{ clientId: string; clientSecret?: string; backchannel?: boolean }} client
 * @returns {import("./provider.js").ClientConfig}
 */
export function appClient(appUrl, realm, { clientId, clientSecret, backchannel = false }) {
  return {
    clientId,
    ...(clientSecret !== undefined && { clientSecret }),
    redirectUris: [`${appUrl}/auth/${realm}/callback`],
    postLogoutRedirectUris: [`${appUrl}/`, `${appUrl}/logout/callback`],
    ...(backchannel && { backchannelLogoutUri: `${appUrl}/auth/${realm}/backchannel-logout` }),
  };
}

/**
 * The realms the app's environment names, each with the app's clients, at the
 * app's origin (APP_URL, else PORT): KEYCLOAK_REALM (default "demo") and
 * KEYCLOAK_REALMS with their client (KEYCLOAK_REALM_<NAME>_CLIENT_ID, else
 * KEYCLOAK_CLIENT_ID, and the secret likewise, or their development
 * defaults); and each provider of OIDC_PROVIDERS whose issuer is a realm of
 * this IdP (`${idpUrl}/realms/<realm>`), with its own client id and secret
 * (none: a public client, as the app treats it).
 * @param {Record<string, string | undefined>} env
 * @param {string} [idpUrl]  where this IdP listens, e.g. "http://127.0.0.1:8080"
 * @returns {Record<string, { clients: import("./provider.js").ClientConfig[] }>}
 * @throws {Error} a one-line message naming the variable, for a bad APP_URL or PORT
 */
export function devRealms(env, idpUrl) {
  const appUrl = appUrlFrom(env);
  /** @type {Map<string, Map<string, import("./provider.js").ClientConfig>>} realm -> client id -> client */
  const realms = new Map();
  /** @param {string} realm  @param {string} name  @param {{ clientId: string, clientSecret?: string }} client */
  const register = (realm, name, client) => {
    const clients = realms.get(realm) ?? new Map();
    realms.set(realm, clients);
    const known = clients.get(client.clientId);
    if (known) known.redirectUris.push(...appClient(appUrl, name, client).redirectUris);
    else clients.set(client.clientId, appClient(appUrl, name, { ...client, backchannel: true }));
  };

  for (const realm of new Set([env.KEYCLOAK_REALM?.trim() || "demo", ...listed(env.KEYCLOAK_REALMS)])) {
    const prefix = `KEYCLOAK_REALM_${envName(realm)}`;
    register(realm, realm, {
      clientId: env[`${prefix}_CLIENT_ID`] || env.KEYCLOAK_CLIENT_ID || "remix-app",
      clientSecret: env[`${prefix}_CLIENT_SECRET`] || env.KEYCLOAK_CLIENT_SECRET || DEV_CLIENT_SECRET,
    });
  }
  for (const provider of listed(env.OIDC_PROVIDERS)) {
    const prefix = `OIDC_PROVIDER_${envName(provider)}`;
    const realm = idpUrl && realmOfIssuer(env[`${prefix}_ISSUER`], idpUrl);
    const clientId = env[`${prefix}_CLIENT_ID`];
    if (realm && clientId) register(realm, provider, { clientId, clientSecret: env[`${prefix}_CLIENT_SECRET`] || "" });
  }
  return Object.fromEntries([...realms].map(([realm, clients]) => [realm, { clients: [...clients.values()] }]));
}

/**
 * The realm an issuer names at this IdP, or null for another provider's.
 * @param {string | undefined} issuer
 * @param {string} idpUrl
 */
function realmOfIssuer(issuer, idpUrl) {
  const prefix = `${idpUrl}/realms/`;
  if (!issuer?.startsWith(prefix)) return null;
  const realm = issuer.slice(prefix.length).replace(/\/$/, "");
  return /^[\w.-]+$/.test(realm) ? realm : null;
}
