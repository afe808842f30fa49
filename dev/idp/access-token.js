import { signJws } from "./backchannel.js";

/** @typedef {import("./provider.js").SigningKey} SigningKey */
/** @typedef {import("./users.js").IdpUser} IdpUser */

/**
 * An access token as Keycloak issues them: a JWT signed with the realm key,
 * carrying `azp`, `sid`, the scope and the user's roles (`realm_access`,
 * `resource_access`). Its `jti` is the opaque token oidc-provider stores, so
 * the userinfo endpoint can look it up (index.js swaps one for the other), and
 * it ends with the IdP session like oidc-provider's own.
 * @param {{ issuer: string, key: SigningKey, user: IdpUser | undefined, opaque: string,
 *   payload: { clientId: string, accountId: string, iat: number, exp: number, scope?: string, sid?: string } }} options
 * @returns {string}
 */
export function signAccessToken({ issuer, key, user, opaque, payload }) {
  const clientRoles = user?.clientRoles ?? [];
  const claims = {
    exp: payload.exp,
    iat: payload.iat,
    jti: opaque,
    iss: issuer,
    // Keycloak's audience: the account API, and the clients whose roles the token carries.
    aud: clientRoles.length > 0 ? [payload.clientId, "account"] : "account",
    sub: payload.accountId,
    typ: "Bearer",
    azp: payload.clientId,
    ...(payload.sid && { sid: payload.sid }),
    scope: payload.scope,
    realm_access: { roles: user?.realmRoles ?? [] },
    resource_access: {
      ...(clientRoles.length > 0 && { [payload.clientId]: { roles: clientRoles } }),
      account: { roles: ["manage-account", "view-profile"] },
    },
    ...(user && { preferred_username: user.username }),
  };
  const encode = (/** @type {object} */ part) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const input = `${encode({ alg: key.alg, typ: "JWT", kid: key.kid })}.${encode(claims)}`;
  return `${input}.${signJws(key, input).toString("base64url")}`;
}

/**
 * The opaque token inside one of these JWTs (its `jti`), or `null` for anything else.
 * @param {string} token
 */
export function opaqueAccessToken(token) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const { jti } = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return typeof jti === "string" ? jti : null;
  } catch {
    return null;
  }
}
