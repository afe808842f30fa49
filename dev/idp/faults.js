// The dev IdP's fault switches, for resilience tests: each is read on every request.
import { setTimeout as sleep } from "node:timers/promises";

import { send } from "./http.js";
import { OIDC_PATH } from "./provider.js";

/**
 * Switches for resilience tests, read on every request. All off by default.
 * @typedef {object} IdpFaults
 * @property {boolean} down               destroy every connection at once, without a response (a crashed IdP);
 *                                        such requests are not recorded
 * @property {number} delayMs             hold every request (recorded on arrival) this long before handling it
 * @property {boolean} failTokenEndpoint  the token endpoint answers 503 {"error":"temporarily_unavailable"}
 * @property {boolean} failUserinfo       the userinfo endpoint answers 503 (an API down while the IdP renews)
 * @property {number} clockSkewSeconds    added to iat, exp and auth_time of ID tokens and to logout tokens
 */

/** @returns {IdpFaults} every switch off */
export function noFaults() {
  return { down: false, delayMs: 0, failTokenEndpoint: false, failUserinfo: false, clockSkewSeconds: 0 };
}

/**
 * `down`: the connection is destroyed without a response (per request, not per
 * connection: kept-alive connections outlive the switch). True when it was.
 * @param {IdpFaults} faults
 * @param {import("node:http").IncomingMessage} req
 */
export function droppedAsDown(faults, req) {
  if (faults.down) req.socket.destroy();
  return faults.down;
}

/**
 * `delayMs`: holds the request; true when it should still be answered (the
 * client did not give up and the IdP is not closing).
 * @param {IdpFaults} faults
 * @param {import("node:http").IncomingMessage} req
 * @param {AbortSignal} closing
 */
export async function afterDelay(faults, req, closing) {
  if (faults.delayMs <= 0) return true;
  await sleep(faults.delayMs, undefined, { signal: closing }).catch(() => {});
  return !req.socket.destroyed;
}

/**
 * `failTokenEndpoint`, `failUserinfo`: that endpoint answers 503; true when it did.
 * @param {IdpFaults} faults
 * @param {string} rest  the path below /realms/{realm}
 * @param {import("node:http").ServerResponse} res
 */
export function failedTokenEndpoint(faults, rest, res) {
  const failing =
    (faults.failTokenEndpoint && rest === `${OIDC_PATH}/token`) ||
    (faults.failUserinfo && rest === `${OIDC_PATH}/userinfo`);
  if (!failing) return false;
  send(res, 503, "application/json", JSON.stringify({ error: "temporarily_unavailable" }));
  return true;
}
