import { constants, randomUUID, sign } from "node:crypto";

/** @typedef {import("./provider.js").SigningKey} SigningKey */

const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/**
 * A signed OpenID Connect Back-Channel Logout 1.0 token.
 * Claims in `overrides` replace the defaults; a claim set to undefined is left out.
 * @param {{ issuer: string, key: SigningKey, now: number, clientId: string, sub?: string, sid?: string }} base
 *   `now` in seconds since the epoch (the IdP's clock)
 * @param {Record<string, unknown>} [overrides]
 * @returns {string}
 */
export function signLogoutToken({ issuer, key, now, clientId, sub, sid }, overrides = {}) {
  /** @type {Record<string, unknown>} */
  const claims = {
    iss: issuer,
    aud: clientId,
    iat: now,
    exp: now + 120,
    jti: randomUUID(),
    sub,
    sid,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...overrides,
  };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  const encode = (/** @type {object} */ part) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const input = `${encode({ alg: key.alg, typ: "logout+jwt", kid: key.kid })}.${encode(claims)}`;
  return `${input}.${signJws(key, input).toString("base64url")}`;
}

/**
 * POSTs a logout token to a client's back-channel logout URI.
 * @param {string} uri
 * @param {string} logoutToken
 * @param {AbortSignal} signal
 * @returns {Promise<number | null>} the response status, null on a network error or timeout
 */
export async function postLogoutToken(uri, logoutToken, signal) {
  try {
    const response = await fetch(uri, {
      method: "POST",
      body: new URLSearchParams({ logout_token: logoutToken }),
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

/**
 * A JWS signature with the key's algorithm.
 * @param {SigningKey} key
 * @param {string} input
 */
export function signJws({ alg, privateKey }, input) {
  if (alg === "EdDSA") return sign(null, Buffer.from(input), privateKey);
  if (alg === "ES256") return sign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
  if (alg === "PS256")
    return sign("sha256", Buffer.from(input), {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
  return sign("sha256", Buffer.from(input), privateKey);
}
