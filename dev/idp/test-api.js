// What the tests may do to a running dev IdP beyond HTTP: read what it
// received and sent, sign logout tokens, rotate keys. Not used by `npm run dev`.
import { signLogoutToken } from "./backchannel.js";
import { generateSigningKey } from "./provider.js";

/**
 * @param {{ requests: import("./index.js").RecordedRequest[], faults: import("./faults.js").IdpFaults,
 *   backchannelDeliveries: import("./index.js").BackchannelDelivery[], realmNamed: (name: string) => any, now: () => number }} idp
 */
export function testApi({ requests, faults, backchannelDeliveries, realmNamed, now }) {
  return {
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    faults,
    backchannelDeliveries,
    /** @type {import("./index.js").RunningIdp["logoutToken"]} */
    logoutToken: (name, { clientId, sub, sid, ...overrides }) => {
      const { issuer, key } = realmNamed(name);
      return signLogoutToken({ issuer, key, now: now(), clientId, sub, sid }, overrides);
    },
    /** @param {string} name */
    rotateKeys: (name) => {
      const key = generateSigningKey(realmNamed(name).key.alg);
      realmNamed(name).useKey(key);
      return key.kid;
    },
  };
}
