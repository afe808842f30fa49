// An embedded, Keycloak-compatible OpenID Provider for development and tests.
import http from "node:http";

import { isForm, readForm, send } from "./http.js";
import { handleLogin } from "./login.js";
import { logoutParamError } from "./logout.js";
import { messagePage } from "./pages.js";
import { createRealmProvider, OIDC_PATH } from "./provider.js";
import { DEFAULT_USERS } from "./users.js";

export { DEFAULT_USERS };

/** @typedef {import("./users.js").IdpUser} IdpUser */
/** @typedef {import("./provider.js").ClientConfig} ClientConfig */
/** @typedef {{ clients: ClientConfig[] }} RealmConfig */

/**
 * @typedef {object} RecordedRequest
 * @property {number} time                 Date.now() on arrival
 * @property {string} method
 * @property {string | null} realm         realm name from a /realms/{realm}/... path
 * @property {string} path                 pathname
 * @property {Record<string, string>} query
 * @property {Record<string, string>} [form]  parsed body of a form POST to the logout endpoint
 */

/**
 * @typedef {object} RunningIdp
 * @property {string} url                        e.g. "http://127.0.0.1:8080" (the KEYCLOAK_URL)
 * @property {(realm: string) => string} issuer  `${url}/realms/${realm}`
 * @property {RecordedRequest[]} requests        every request received, in order
 * @property {() => void} clearRequests
 * @property {() => Promise<void>} close         stops the server and drops open connections
 */

/**
 * Starts the IdP on one HTTP server with one oidc-provider instance per realm.
 * @param {{ port?: number, host?: string, realms: Record<string, RealmConfig>, users?: IdpUser[] }} options
 * @returns {Promise<RunningIdp>}
 */
export async function startIdp({ port = 0, host = "127.0.0.1", realms, users = DEFAULT_USERS }) {
  for (const name of Object.keys(realms)) {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`Unsupported realm name: ${JSON.stringify(name)}`);
  }

  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {Map<string, Awaited<ReturnType<typeof setUpRealm>>>} */
  const realmsByName = new Map();

  const server = http.createServer((req, res) => {
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
  const url = `http://${host}:${actualPort}`;
  const issuer = (/** @type {string} */ realm) => `${url}/realms/${realm}`;

  /** @param {string} name */
  function setUpRealm(name) {
    const { clients } = realms[name];
    const { provider, publicKey } = createRealmProvider({ realm: name, issuer: issuer(name), clients, users });
    return { name, issuer: issuer(name), clients, users, provider, publicKey, callback: provider.callback() };
  }
  for (const name of Object.keys(realms)) realmsByName.set(name, setUpRealm(name));

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
    };
    requests.push(entry);

    const realm = match && realmsByName.get(match[1]);
    if (!realm) {
      const error = match ? "Realm does not exist" : "Not Found";
      send(res, 404, "application/json", JSON.stringify({ error }));
      return;
    }
    const prefix = `/realms/${realm.name}`;
    const rest = match[2] ?? "/";

    const login = /^\/login-actions\/([\w-]+)$/.exec(rest);
    if (login) {
      await handleLogin(realm, login[1], req, res, pathname);
      return;
    }

    if (rest === `${OIDC_PATH}/logout` && (req.method === "GET" || (req.method === "POST" && isForm(req)))) {
      const params = req.method === "POST" ? (entry.form = await readForm(req)) : entry.query;
      const error = await logoutParamError(params, realm);
      if (error) {
        send(res, 400, "text/html", messagePage("We are sorry...", error));
        return;
      }
      if (req.method === "POST") {
        // The body stream is consumed now. oidc-provider handles GET and POST logout
        // identically, so hand the form parameters over as a GET query instead.
        req.method = "GET";
        req.url = `${pathname}?${new URLSearchParams(params)}`;
      }
    }

    // Mount the provider at /realms/{realm}: oidc-provider derives its endpoint URLs
    // from the difference between originalUrl and url.
    const fullUrl = req.url ?? "/";
    /** @type {any} */ (req).originalUrl = fullUrl;
    const relative = fullUrl.slice(prefix.length);
    req.url = relative.startsWith("/") ? relative : `/${relative}`;
    await realm.callback(req, res);
  }

  return {
    url,
    issuer,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
