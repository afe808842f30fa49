// The public types of OIDCStrategy, used as OIDCStrategy.Options, OIDCStrategy.VerifyOptions, …
import type { PrivateKey, UserInfoResponse } from "oauth4webapi";
import type { OAuth2Strategy } from "remix-auth-oauth2";
import type { DpopKey } from "./dpop.server";
import type { LogoutMethod } from "./end-session.server";
import type { IdTokenClaims } from "./jwt.server";
import type { ProviderMetadata } from "./oidc-protocol.server";

export interface OIDCStrategyOptions {
  /**
   * The provider's discovery document, from `discover(issuer)`: the issuer and every endpoint come from it.
   * @example await discover("https://sso.example.com/realms/demo")
   */
  metadata: ProviderMetadata;
  /** @example "remix-app" */
  clientId: string;
  /**
   * `null` for a public client (PKCE only). Sent as discovery's
   * `token_endpoint_auth_methods_supported` allows: HTTP Basic when listed, else in the form.
   * @example process.env.PARTNER_CLIENT_SECRET
   */
  clientSecret: string | null;
  /**
   * Authenticates the client with a signed JWT instead (`private_key_jwt`, RFC 7523; Keycloak's
   * "Signed JWT"). Serve its public key where the provider fetches it (the app: `/auth/jwks.json`).
   * @example { key: await importPKCS8(pem, "RS256"), kid: "app-2026" }
   */
  clientPrivateKey?: PrivateKey;
  /**
   * Absolute callback URL registered at the provider. Over http the state
   * cookie is scoped to its folder, which must also hold the login route;
   * over https it is a `__Host-` cookie for the whole site.
   * @example "https://app.example.com/auth/demo/callback"
   */
  redirectURI: string;
  /** @default ["openid", "profile", "email"] */
  scopes?: string[];
  /**
   * Name of the cookie holding this provider's logins in progress (at most 3, for 5 minutes); over
   * https it gets the `__Host-` prefix. Unique per provider: over https they all share `Path=/`.
   * @default "oidc"
   * @example "oidc:partner"
   */
  cookieName?: string;
  /** Allowed clock difference with the provider for `exp`, `nbf` and `iat`. @default 120 */
  clockToleranceSeconds?: number;
  /** Timeout for every request to the provider. @default 5000 */
  timeoutMs?: number;
  /**
   * Told after each request to the provider whether it answered (`true`: any status below 500), so that a login
   * or logout right after one need not ask again (providers/reachability.server.ts). The app sets it.
   * @example (answered) => console.log(answered ? "up" : "down")
   */
  onProviderAnswer?: (answered: boolean) => void;
  /**
   * `"post"` sends the end-session request as an auto-submitted form, keeping
   * the id_token out of URLs; only for providers whose endpoint accepts POST
   * (Keycloak's does). With `"redirect"`, a URL too long for the provider is
   * sent as a form POST anyway.
   * @default "redirect"
   */
  logoutMethod?: LogoutMethod;
  /**
   * Binds each session's tokens to a key pair of its own (RFC 9449 DPoP; Keycloak 26.4+, "Require DPoP bound
   * tokens"): proofs go with the token, refresh and userinfo requests, and `getAccessToken` gives API calls theirs.
   * @default false
   */
  dpop?: boolean;
}

/** What the app knows of a logout in progress. */
export interface OIDCLogout {
  /** The session's ID token; `null` when the session is already gone (the provider then asks the user). */
  idToken: string | null;
  postLogoutRedirectUri: string;
  /** Echoed back to `postLogoutRedirectUri`, where the app checks it. */
  state?: string;
}

/** What the app shows of the user. */
export interface OIDCProfile {
  username: string;
  name?: string;
  email?: string;
}

export interface OIDCVerifyOptions extends OAuth2Strategy.VerifyOptions {
  /** The raw ID token: keep it for `id_token_hint` at logout. */
  idToken: string;
  /** The validated claims of the ID token. */
  claims: IdTokenClaims;
  /** The userinfo response, fetched only when the ID token has no profile claims (its `sub` is checked). */
  userinfo?: UserInfoResponse;
  /** The claims (the ID token's, completed by userinfo) mapped by `profile()`. */
  profile: OIDCProfile;
  /** With `dpop`: the key the tokens are bound to; keep it with them. */
  dpopKey?: DpopKey;
}
