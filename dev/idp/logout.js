import { compactVerify } from "jose";

/** @typedef {import("./provider.js").ClientConfig} ClientConfig */

/**
 * Keycloak 18+ parameter rules for RP-initiated logout that oidc-provider does not
 * enforce the same way. Returns the 400 error text, or null to let oidc-provider
 * end the session.
 * @param {Record<string, string>} params  query (GET) or form body (POST)
 * @param {{ issuer: string, publicKey: import("node:crypto").KeyObject, key: { alg: string }, clients: ClientConfig[] }} realm
 * @returns {Promise<string | null>}
 */
export async function logoutParamError(params, { issuer, publicKey, key, clients }) {
  // The pre-18 parameter is rejected outright.
  if ("redirect_uri" in params) return "Invalid parameter: redirect_uri";

  const { id_token_hint: hint, post_logout_redirect_uri: redirectUri } = params;
  if (redirectUri && !hint && !params.client_id) return "Missing parameters: id_token_hint";

  let clientId = params.client_id;
  if (hint) {
    try {
      // Signature and issuer only: like Keycloak, an expired hint is still accepted.
      const { payload } = await compactVerify(hint, publicKey, { algorithms: [key.alg] });
      const claims = JSON.parse(new TextDecoder().decode(payload));
      if (claims.iss !== issuer) throw new Error("issuer mismatch");
      clientId ||= Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    } catch {
      return "Invalid parameter: id_token_hint";
    }
  }

  const client = clientId === undefined ? undefined : clients.find((c) => c.clientId === clientId);
  if (clientId !== undefined && !client) return "Invalid parameter: client_id";
  if (redirectUri && !client?.postLogoutRedirectUris.includes(redirectUri)) return "Invalid redirect uri";
  return null;
}
