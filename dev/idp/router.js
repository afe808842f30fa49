// What the dev IdP does with a request for one realm: the Keycloak-like
// answers oidc-provider does not give, then oidc-provider mounted at /realms/{realm}.
import { opaqueAccessToken } from "./access-token.js";
import { failedTokenEndpoint } from "./faults.js";
import { isForm, readForm, send } from "./http.js";
import { handleLogin } from "./login.js";
import { logoutParamError } from "./logout.js";
import { messagePage } from "./pages.js";
import { OIDC_PATH } from "./provider.js";

/**
 * @param {any} realm  a realm as startIdp sets it up
 * @param {string} rest  the path below /realms/{realm}
 * @param {{ req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse,
 *   entry: import("./index.js").RecordedRequest, pathname: string, faults: import("./faults.js").IdpFaults }} request
 */
export async function routeInRealm(realm, rest, { req, res, entry, pathname, faults }) {
  const prefix = `/realms/${realm.name}`;

  if (failedTokenEndpoint(faults, rest, res)) return;

  // oidc-provider accepts a secret in either place; a provider that lists only client_secret_post refuses Basic (Apple's does).
  const basicRefused =
    realm.personality.tokenAuthMethods && !realm.personality.tokenAuthMethods.includes("client_secret_basic");
  if (basicRefused && rest === `${OIDC_PATH}/token` && /^basic /i.test(req.headers.authorization ?? "")) {
    send(
      res,
      401,
      "application/json",
      JSON.stringify({ error: "invalid_client", error_description: "HTTP Basic is not supported" }),
    );
    return;
  }

  // Access tokens are JWTs (access-token.js); oidc-provider's userinfo looks up the opaque token inside.
  if (rest === `${OIDC_PATH}/userinfo`) {
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const opaque = bearer && opaqueAccessToken(bearer);
    if (opaque) req.headers.authorization = `Bearer ${opaque}`;
  }

  const login = /^\/login-actions\/([\w-]+)$/.exec(rest);
  if (login) {
    await handleLogin(realm, login[1], req, res, pathname);
    return;
  }

  if (
    realm.endSession &&
    rest === `${OIDC_PATH}/logout` &&
    (req.method === "GET" || (req.method === "POST" && isForm(req)))
  ) {
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
  crossSiteSessionCookie(res);
  await realm.callback(req, res);
}

/**
 * Keycloak's session cookies are SameSite=None; Secure, so a logout form that
 * the app POSTs to the IdP (a cross-site navigation) still carries them.
 * koa will not set a Secure cookie on plain http, so the attributes are added
 * on the way out (browsers accept Secure cookies from http loopback hosts).
 * @param {import("node:http").ServerResponse} res
 */
function crossSiteSessionCookie(res) {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => {
    if (String(name).toLowerCase() === "set-cookie") {
      const cookies = (Array.isArray(value) ? value : [String(value)]).map((cookie) =>
        /^_session(\.sig|\.legacy)?=/.test(cookie)
          ? cookie.replace(/; samesite=lax/i, "") + "; samesite=none; secure"
          : cookie,
      );
      return setHeader(name, cookies);
    }
    return setHeader(name, value);
  };
}
