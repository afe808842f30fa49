// An embedded, Keycloak-compatible OpenID Provider for development and tests.
import http from "node:http";

import { postLogoutToken, signLogoutToken } from "./backchannel.js";
import { afterDelay, droppedAsDown, noFaults } from "./faults.js";
import { send } from "./http.js";
import { messagePage } from "./pages.js";
import { generateSigningKey, realmProviderFactory } from "./provider.js";
import { routeInRealm } from "./router.js";
import { testApi } from "./test-api.js";
import { DEFAULT_USERS } from "./users.js";

export { DEFAULT_USERS };

/** @typedef {import("./users.js").IdpUser} IdpUser */
/** @typedef {import("./provider.js").ClientConfig} ClientConfig */
/**
 * @typedef {object} RealmConfig
 * @property {ClientConfig[]} clients
 * @property {boolean} [endSession]  false = no end_session_endpoint (the logout path answers 404); default true
 * @property {import("./provider.js").Personality} [personality]  how the realm differs from Keycloak; default none
 */

/**
 * @typedef {object} RecordedRequest
 * @property {number} time                 Date.now() on arrival
 * @property {string} method
 * @property {string | null} realm         realm name from a /realms/{realm}/... path
 * @property {string} path                 pathname
 * @property {Record<string, string>} query
 * @property {Record<string, string>} [form]  parsed body of a form POST to the logout endpoint
 * @property {string} [dpop]               its DPoP proof (RFC 9449), when it had one
 */

/**
 * @typedef {object} BackchannelDelivery
 * @property {number} time           Date.now() when the POST was sent
 * @property {string} realm
 * @property {string} clientId
 * @property {string} uri            the client's backchannelLogoutUri
 * @property {number | null} status  the client's response status; null = network error or timeout (5 s)
 * @property {string} logoutToken
 */

/** @typedef {import("./faults.js").IdpFaults} IdpFaults */

/**
 * @typedef {object} RunningIdp
 * @property {string} url                        e.g. "http://127.0.0.1:8080" (the KEYCLOAK_URL)
 * @property {(realm: string) => string} issuer  `${url}/realms/${realm}` (with a "/" for issuerTrailingSlash)
 * @property {RecordedRequest[]} requests        every request received, in order
 * @property {() => void} clearRequests
 * @property {IdpFaults} faults                  mutable; reset them after use
 * @property {BackchannelDelivery[]} backchannelDeliveries  every back-channel logout POST, once answered or failed
 * @property {(realm: string, claims: { clientId: string, sub?: string, sid?: string } & Record<string, unknown>) => string} logoutToken
 *   a valid logout token signed with the realm's current key; other claims given override the
 *   defaults (iss, aud, iat, exp, jti, sub, sid, events), and a claim given as undefined is left out
 * @property {(realm: string) => string} rotateKeys  replaces the realm's signing key (JWKS: the new key only); returns the new kid
 * @property {() => Promise<void>} close         stops the server, drops open connections and pending delays
 */

/**
 * `IDP_ACCESS_TOKEN_TTL` of `npm run dev` and `dev/idp/cli.js`: seconds, or undefined for the default.
 * A bad value stops the start with one line naming the variable.
 * @param {string | undefined} value
 * @returns {number | undefined}
 */
export function accessTokenTtlFromEnv(value) {
  if (value === undefined || value === "") return undefined;
  if (/^[1-9]\d*$/.test(value)) return Number(value);
  console.error(`IDP_ACCESS_TOKEN_TTL must be a positive whole number of seconds, got "${value}"`);
  process.exit(1);
}

/**
 * Starts the IdP on one HTTP server with one oidc-provider instance per realm.
 * `accessTokenTtl`: access tokens' lifetime in seconds (default 300, Keycloak's). `publicUrl`: where browsers
 * and apps reach it when not at its own address (a proxy in front, e.g. the benchmark's delaying one).
 * @param {{ port?: number, host?: string, realms: Record<string, RealmConfig>, users?: IdpUser[], accessTokenTtl?: number, publicUrl?: string }} options
 * @returns {Promise<RunningIdp>}
 */
export async function startIdp({
  port = 0,
  host = "127.0.0.1",
  realms,
  users = DEFAULT_USERS,
  accessTokenTtl = 300,
  publicUrl,
}) {
  for (const name of Object.keys(realms)) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`Unsupported realm name: ${JSON.stringify(name)}`);
  }

  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {BackchannelDelivery[]} */
  const backchannelDeliveries = [];
  /** @type {IdpFaults} */
  const faults = noFaults();
  const now = () => Math.floor(Date.now() / 1000) + faults.clockSkewSeconds;
  const closing = new AbortController();
  /** @type {Map<string, Awaited<ReturnType<typeof setUpRealm>>>} */
  const realmsByName = new Map();

  const server = http.createServer((req, res) => {
    if (droppedAsDown(faults, req)) return;
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, "text/html", messagePage("We are sorry...", "Unexpected error"));
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const { port: actualPort } = /** @type {import("node:net").AddressInfo} */ (server.address());
  const url = publicUrl ?? `http://${host}:${actualPort}`;
  const issuer = (/** @type {string} */ realm) =>
    `${url}/realms/${realm}${realms[realm]?.personality?.issuerTrailingSlash ? "/" : ""}`;

  /** @param {string} name */
  function setUpRealm(name) {
    const { clients, endSession = true, personality = {} } = realms[name];
    const newProvider = realmProviderFactory({
      realm: name,
      issuer: issuer(name),
      clients,
      users,
      endSession,
      personality,
      clockSkew: () => faults.clockSkewSeconds,
      accessTokenTtl,
      backchannelLogout: (clientId, uri, sub, sid) => {
        const time = Date.now();
        const logoutToken = signLogoutToken({ issuer: realm.issuer, key: realm.key, now: now(), clientId, sub, sid });
        postLogoutToken(uri, logoutToken, closing.signal).then((status) => {
          backchannelDeliveries.push({ time, realm: name, clientId, uri, status, logoutToken });
        });
      },
    });
    /** @param {import("./provider.js").SigningKey} key */
    const withKey = (key) => {
      const provider = newProvider(key);
      return { key, publicKey: key.publicKey, provider, callback: provider.callback() };
    };
    const realm = {
      name,
      issuer: issuer(name),
      clients,
      users,
      endSession,
      personality,
      ...withKey(generateSigningKey(personality.signingAlg)),
      /** A new provider with the new key; it keeps the sessions (see realmProviderFactory). */
      useKey: (/** @type {import("./provider.js").SigningKey} */ key) => Object.assign(realm, withKey(key)),
    };
    return realm;
  }
  for (const name of Object.keys(realms)) realmsByName.set(name, setUpRealm(name));

  /** @param {string} name */
  function realmNamed(name) {
    const realm = realmsByName.get(name);
    if (!realm) throw new Error(`Unknown realm: ${JSON.stringify(name)}`);
    return realm;
  }

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  async function handle(req, res) {
    const { pathname, searchParams } = new URL(req.url ?? "/", url);
    const match = /^\/realms\/([^/]+)(\/.*)?$/.exec(pathname);
    /** @type {RecordedRequest} */
    const entry = {
      time: Date.now(),
      method: req.method ?? "GET",
      realm: match ? match[1] : null,
      path: pathname,
      query: Object.fromEntries(searchParams),
      ...(typeof req.headers.dpop === "string" && { dpop: req.headers.dpop }),
    };
    requests.push(entry);

    if (!(await afterDelay(faults, req, closing.signal))) return;

    const realm = match && realmsByName.get(match[1]);
    if (!realm) {
      const error = match ? "Realm does not exist" : "Not Found";
      send(res, 404, "application/json", JSON.stringify({ error }));
      return;
    }
    await routeInRealm(realm, match[2] ?? "/", { req, res, entry, pathname, faults });
  }

  return {
    url,
    issuer,
    ...testApi({ requests, faults, backchannelDeliveries, realmNamed, now }),
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        closing.abort();
      }),
  };
}
