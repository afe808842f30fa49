// The app's client as the dev IdP registers it: one definition for `npm run
// dev`, `npm run idp` and the tests.

/** What `npm run dev` and `npm run idp` use when KEYCLOAK_CLIENT_SECRET is unset. */
export const DEV_CLIENT_SECRET = "dev-secret";

/**
 * The app's client in realm `realm`: the app's callback for that realm, its
 * logout callback (and its home page), and, with `backchannel`, its
 * back-channel logout URL.
 * @param {string} appUrl  the app's origin, e.g. "http://localhost:3000"
 * @param {string} realm
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
 * The realms the app's environment names (KEYCLOAK_REALM, default "demo", and
 * KEYCLOAK_REALMS), each with the app's client (KEYCLOAK_CLIENT_ID and
 * KEYCLOAK_CLIENT_SECRET, or their development defaults).
 * @param {Record<string, string | undefined>} env
 */
export function devRealms(env) {
  const appUrl = (env.APP_URL || "http://localhost:3000").replace(/\/+$/, "");
  const names = [env.KEYCLOAK_REALM || "demo", ...(env.KEYCLOAK_REALMS ?? "").split(",")]
    .map((name) => name.trim())
    .filter(Boolean);
  const client = {
    clientId: env.KEYCLOAK_CLIENT_ID || "remix-app",
    clientSecret: env.KEYCLOAK_CLIENT_SECRET || DEV_CLIENT_SECRET,
    backchannel: true,
  };
  return Object.fromEntries(
    [...new Set(names)].map((realm) => [realm, { clients: [appClient(appUrl, realm, client)] }]),
  );
}
