import { generateKeyPairSync, randomBytes } from "node:crypto";

import Provider from "./oidc-provider.js";
// The exported default adapter prints a "development-only" warning; the factory does not.
import MemoryAdapter from "oidc-provider/lib/adapters/memory_adapter.js";
import LRU from "oidc-provider/lib/helpers/lru.js";

import { signAccessToken } from "./access-token.js";
import { messagePage, page } from "./pages.js";
import { userClaims } from "./users.js";

/** @typedef {import("./users.js").IdpUser} IdpUser */

/**
 * @typedef {object} ClientConfig
 * @property {string} clientId
 * @property {string} [clientSecret]  "" or undefined = public client
 * @property {string[]} redirectUris
 * @property {string[]} postLogoutRedirectUris
 * @property {string} [backchannelLogoutUri]  receives OIDC Back-Channel Logout tokens
 * @property {"client_secret_basic" | "client_secret_post" | "private_key_jwt"} [tokenEndpointAuthMethod]
 *   how a confidential client authenticates; default client_secret_basic (Keycloak's "Client Id and Secret")
 * @property {string} [jwksUri]  where the client publishes its keys, for private_key_jwt
 */

/**
 * How a realm differs from Keycloak, to try the app against other providers' habits.
 * @typedef {object} Personality
 * @property {boolean} [issuerTrailingSlash]  the issuer ends in "/" (as Auth0's does)
 * @property {string[]} [tokenAuthMethods]    token_endpoint_auth_methods_supported; others are refused
 * @property {SigningAlg} [signingAlg]         the ID token's algorithm; default RS256
 * @property {boolean} [profileInIdToken]     false: the ID token carries only sub (profile at userinfo); default true
 * @property {{ nonce: boolean }} [dpop]       the client must use DPoP (Keycloak's "Require DPoP bound tokens"), and with
 *   `nonce` each proof must carry the IdP's DPoP-Nonce (RFC 9449 8; Keycloak has none). Bound access tokens stay
 *   oidc-provider's opaque ones, so that its userinfo checks the proof's `ath` against the token the app presents.
 */

/** @typedef {"RS256" | "PS256" | "ES256" | "EdDSA"} SigningAlg */

/**
 * @typedef {object} SigningKey
 * @property {string} kid
 * @property {SigningAlg} alg
 * @property {import("node:crypto").KeyObject} privateKey
 * @property {import("node:crypto").KeyObject} publicKey
 * @property {Record<string, unknown>} jwk  private JWK, for oidc-provider
 */

/** Path prefix of every realm endpoint, relative to `/realms/{realm}`. */
export const OIDC_PATH = "/protocol/openid-connect";

/**
 * A fresh key pair for `alg` with a random `kid`.
 * @param {SigningAlg} [alg]
 * @returns {SigningKey}
 */
export function generateSigningKey(alg = "RS256") {
  const { privateKey, publicKey } =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : alg === "EdDSA"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomBytes(16).toString("base64url");
  return { kid, alg, privateKey, publicKey, jwk: { ...privateKey.export({ format: "jwk" }), kid, alg, use: "sig" } };
}

/**
 * Makes oidc-provider instances for one realm, mounted at `/realms/{realm}`. Every
 * instance made by one factory shares the storage and the cookie keys, so a new
 * instance (with a new signing key) keeps the browser sessions of the previous one.
 * @param {object} opts
 * @param {string} opts.realm
 * @param {string} opts.issuer
 * @param {ClientConfig[]} opts.clients
 * @param {Personality} opts.personality
 * @param {IdpUser[]} opts.users
 * @param {boolean} opts.endSession  false = no RP-initiated logout endpoint
 * @param {() => number} opts.clockSkew  seconds to add to the times in ID tokens
 * @param {number} [opts.accessTokenTtl]  seconds; default 300, Keycloak's
 * @param {(clientId: string, uri: string, sub: string, sid: string) => void} opts.backchannelLogout
 *   starts the delivery of a logout token to one client of an ending session (not awaited)
 * @returns {(key: SigningKey) => Provider}
 */
export function realmProviderFactory(opts) {
  // oidc-provider's default store keeps 1,000 entries: under load it evicts logins
  // in progress ("Your login attempt timed out"). Entries still expire by their TTL.
  const store = new LRU({ maxSize: 200_000 });
  const adapter = (/** @type {string} */ model) => new MemoryAdapter(model, store, 15);
  const shared = { adapter, cookieKeys: [randomBytes(32).toString("base64url")] };
  return (key) => createProvider({ ...opts, ...shared, key });
}

/** @param {Parameters<typeof realmProviderFactory>[0] & { key: SigningKey, adapter: any, cookieKeys: string[] }} opts */
function createProvider({
  realm,
  issuer,
  clients,
  users,
  endSession,
  personality,
  clockSkew,
  backchannelLogout,
  key,
  adapter,
  cookieKeys,
  accessTokenTtl = 300,
}) {
  const { tokenAuthMethods, profileInIdToken = true, dpop } = personality;
  const provider = new Provider(issuer, {
    adapter,
    clients: clients.map((c) => ({
      client_id: c.clientId,
      ...(c.tokenEndpointAuthMethod === "private_key_jwt"
        ? { token_endpoint_auth_method: "private_key_jwt", jwks_uri: c.jwksUri }
        : c.clientSecret
          ? {
              client_secret: c.clientSecret,
              token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? "client_secret_basic",
            }
          : { token_endpoint_auth_method: "none" }),
      id_token_signed_response_alg: key.alg,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      require_auth_time: true, // Keycloak always sends auth_time
      dpop_bound_access_tokens: !!dpop,
      ...(c.backchannelLogoutUri
        ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true }
        : {}),
    })),
    jwks: { keys: [key.jwk] },
    enabledJWA: { idTokenSigningAlgValues: [key.alg] },
    ...(tokenAuthMethods && { clientAuthMethods: tokenAuthMethods }),
    responseTypes: ["code"],
    pkce: { required: () => true },
    scopes: ["openid", "profile", "email", "offline_access"],
    claims: {
      // Keycloak adds groups through a mapper, independent of the scope.
      openid: ["sub", "groups"],
      profile: ["name", "given_name", "family_name", "preferred_username"],
      email: ["email", "email_verified"],
    },
    // Keycloak puts the profile claims into the ID token of the code flow too; OpenID Connect Core 5.4 does not.
    conformIdTokenClaims: !profileInIdToken,
    async findAccount(_ctx, sub) {
      const user = users.find((u) => u.sub === sub);
      return user && { accountId: sub, claims: async () => userClaims(user) };
    },
    // No consent screen: grant whatever was requested, for new and existing sessions.
    async loadExistingGrant(ctx) {
      const { client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId || session.grantIdFor(client.clientId);
      const grant =
        (grantId && (await ctx.oidc.provider.Grant.find(grantId))) ||
        new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes);
      grant.addOIDCClaims(ctx.oidc.requestParamClaims);
      await grant.save();
      return grant;
    },
    // Keycloak always issues a refresh token.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    // Each refresh token is used once (Keycloak's "Revoke Refresh Token", max reuse 0); a reuse revokes the grant.
    rotateRefreshToken: true,
    // oidc-provider refuses to fetch from loopback (SSRF protection); the dev IdP reads the app's
    // /auth/jwks.json there for private_key_jwt clients.
    fetch: (
      /** @type {string} */ url,
      /** @type {RequestInit & { dispatcher?: unknown }} */ { dispatcher: _, ...options },
    ) => globalThis.fetch(url, options),
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
    routes: {
      authorization: `${OIDC_PATH}/auth`,
      token: `${OIDC_PATH}/token`,
      jwks: `${OIDC_PATH}/certs`,
      userinfo: `${OIDC_PATH}/userinfo`,
      end_session: `${OIDC_PATH}/logout`,
      pushed_authorization_request: `${OIDC_PATH}/ext/par/request`,
    },
    interactions: { url: (_ctx, interaction) => `/realms/${realm}/login-actions/${interaction.uid}` },
    cookies: {
      keys: cookieKeys,
      // Realms share one host; scope the SSO session cookie per realm like Keycloak does.
      long: { httpOnly: true, sameSite: "lax", path: `/realms/${realm}/` },
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: endSession ? { enabled: true, logoutSource, postLogoutSuccessSource } : { enabled: false },
      backchannelLogout: { enabled: true },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => !!dpop?.nonce },
    },
    // Keycloak-like lifetimes; setting all of them also silences oidc-provider's notices.
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 300,
      RefreshToken: 1800,
      Interaction: 1800,
      Session: 36000,
      Grant: 36000,
    },
    renderError,
  });

  // oidc-provider only puts `sid` into ID tokens for back-channel-logout clients
  // (or when the `claims` parameter asks for it); Keycloak always includes it.
  provider.Client.prototype.includeSid = () => true;

  // oidc-provider awaits each delivery before it finishes the logout; Keycloak-like
  // tokens are signed and sent by the caller instead, without holding up the logout.
  provider.Client.prototype.backchannelLogout = async function (/** @type {string} */ sub, /** @type {string} */ sid) {
    backchannelLogout(this.clientId, this.backchannelLogoutUri, sub, sid);
  };

  // Keycloak's access tokens are JWTs carrying the user's roles; oidc-provider's (for its userinfo) are opaque.
  const { AccessToken } = provider;
  const accessTokenValue = AccessToken.prototype.getValueAndPayload;
  AccessToken.prototype.getValueAndPayload = async function () {
    const result = await accessTokenValue.call(this);
    if (!result.payload || this.jkt) return result;
    const user = users.find((u) => u.sub === this.accountId);
    return { ...result, value: signAccessToken({ issuer, key, user, opaque: result.value, payload: result.payload }) };
  };

  // oidc-provider takes its time from Date.now() everywhere; shifting that would shift
  // the whole process. Only the times written into ID tokens are shifted.
  const { IdToken } = provider;
  const issue = IdToken.prototype.issue;
  IdToken.prototype.issue = function (/** @type {{ use: string }} */ options) {
    // Keycloak's ID tokens always name the client (azp) and their kind (typ "ID").
    if (options?.use === "idtoken") {
      this.set("azp", this.client.clientId);
      this.set("typ", "ID");
    }
    const skew = clockSkew();
    if (!skew || options?.use !== "idtoken") return issue.call(this, options);
    const iat = Math.floor(Date.now() / 1000) + skew;
    this.set("iat", iat);
    if (typeof this.available.auth_time === "number") this.set("auth_time", this.available.auth_time + skew);
    return issue.call(this, { ...options, expiresAt: iat + IdToken.expiresIn(this.ctx, this, this.client) });
  };

  return provider;
}

/**
 * Rendered by oidc-provider for every RP-initiated logout of a live session.
 * With a (pre-validated) id_token_hint Keycloak does not ask, so the page submits itself.
 * @param {any} ctx koa context
 * @param {string} form `<form id="op.logoutForm">` holding the xsrf token
 */
async function logoutSource(ctx, form) {
  const button = (/** @type {string} */ text) =>
    `<button id="kc-logout" type="submit" form="op.logoutForm" name="logout" value="yes">${text}</button>`;
  ctx.type = "html";
  ctx.body = ctx.oidc.params.id_token_hint
    ? page(
        "Logging out",
        `<h1>Logging out</h1>
<p>If you are not redirected automatically, press the button.</p>
${form}
${button("Continue")}
<script>document.getElementById("kc-logout").click()</script>`,
      )
    : page("Logging out", `<h1>Logging out</h1>\n<p>Do you want to log out?</p>\n${form}\n${button("Logout")}`);
}

/** @param {any} ctx koa context */
async function postLogoutSuccessSource(ctx) {
  ctx.type = "html";
  ctx.body = page("You are logged out", "<h1>You are logged out</h1>");
}

/**
 * @param {any} ctx koa context
 * @param {{ error: string, error_description?: string }} out
 */
async function renderError(ctx, out) {
  ctx.type = "html";
  const message =
    out.error === "invalid_redirect_uri" ? "Invalid parameter: redirect_uri" : out.error_description || out.error;
  ctx.body = messagePage("We are sorry...", message);
}
