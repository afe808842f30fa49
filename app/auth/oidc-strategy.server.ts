import { createHash } from "node:crypto";
import { OAuth2Tokens } from "arctic";
import type { JWTVerifyGetKey } from "jose";
import * as oauth from "oauth4webapi";
import type { Strategy } from "remix-auth/strategy";
import { OAuth2Strategy } from "remix-auth-oauth2";
import { readEntries, serializeEntries, withEntry } from "./cookies.server";
import type { EndSessionRequest, LogoutMethod } from "./end-session.server";
import { AuthError, type AuthErrorCode } from "./errors";
import { createRotatingKeySet, type IdTokenClaims } from "./id-token.server";
import { validateLogoutToken, type LogoutTokenClaims } from "./logout-token.server";

/** A provider's discovery document, checked by oauth4webapi, with the endpoints a login needs. */
export type ProviderMetadata = oauth.AuthorizationServer & { authorization_endpoint: string; token_endpoint: string; jwks_uri: string };

/**
 * Reads the provider's discovery document from `issuer` + `/.well-known/openid-configuration`
 * (one trailing slash of the issuer dropped first); its `issuer` must equal `issuer`.
 * Every failure is an {@link AuthError} `idp_unreachable`.
 */
export async function discover(issuer: string, { timeoutMs = 5000 } = {}): Promise<ProviderMetadata> {
  const url = new URL(issuer);
  const metadata = await attempt("idp_unreachable", "discovery", async () =>
    oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, httpOptions(url, timeoutMs))),
  );
  for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    if (typeof metadata[field] !== "string") throw new AuthError("idp_unreachable", `discovery of ${issuer} has no ${field}`);
  }
  return metadata as ProviderMetadata;
}

/**
 * A remix-auth strategy for any OpenID Connect provider, built from its
 * discovery document: the code flow with PKCE S256, `state` and a `nonce`
 * bound to the browser, the RFC 9207 `iss` check, client authentication as
 * the provider supports it, and a validated ID token (plus userinfo when the
 * token carries no profile) handed to the verify callback. The protocol work
 * is oauth4webapi's.
 *
 * @example
 * ```ts
 * const metadata = await discover("https://login.example.com");
 * authenticator.use(
 *   new OIDCStrategy(
 *     { metadata, clientId: "app", clientSecret: "s3cret", redirectURI: "https://app.example.com/auth/example/callback" },
 *     async ({ claims, idToken }) => ({ sub: claims.sub, idToken }),
 *   ),
 *   "example",
 * );
 * ```
 */
export class OIDCStrategy<User> extends OAuth2Strategy<User> {
  override name = "oidc";
  /** The issuer exactly as discovery (and the configuration) names it. */
  readonly issuer: string;
  readonly clientId: string;
  /** How the browser goes to the end-session endpoint. */
  readonly logoutMethod: LogoutMethod;
  readonly metadata: ProviderMetadata;
  protected readonly oidcOptions: OIDCStrategy.Options;
  /** oauth4webapi caches the JWKS per metadata object: a fresh copy makes it fetch the keys again. */
  #as: ProviderMetadata;
  readonly #client: oauth.Client;
  readonly #http: ReturnType<typeof httpOptions>;
  readonly #cookie: { name: string; path: string; secure: boolean; maxAge: number };
  #keysReloadedAt = 0;
  #logoutKeys: JWTVerifyGetKey | undefined;

  constructor(options: OIDCStrategy.Options, verify: OIDCStrategy.VerifyFunction<User>) {
    const { metadata } = options;
    super(
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectURI: options.redirectURI,
        scopes: options.scopes ?? ["openid", "profile", "email"],
        authorizationEndpoint: metadata.authorization_endpoint,
        tokenEndpoint: metadata.token_endpoint,
        tokenRevocationEndpoint: metadata.revocation_endpoint,
      },
      // The base class types verify with its own options; authenticate always passes OIDCStrategy.VerifyOptions.
      verify as Strategy.VerifyFunction<User, OAuth2Strategy.VerifyOptions>,
    );
    this.issuer = metadata.issuer;
    this.clientId = options.clientId;
    this.logoutMethod = options.logoutMethod ?? "redirect";
    this.metadata = this.#as = metadata;
    this.oidcOptions = options;
    this.#client = { client_id: options.clientId, [oauth.clockTolerance]: this.clockToleranceSeconds };
    this.#http = httpOptions(new URL(metadata.issuer), options.timeoutMs ?? 5000);
    const callback = new URL(options.redirectURI);
    // Scoped to the callback's folder, so the login route (a sibling) sees the logins already in progress.
    const path = new URL(".", callback).pathname;
    this.#cookie = { name: options.cookieName ?? "oidc", path, secure: callback.protocol === "https:", maxAge: 300 };
  }

  /**
   * Starts a login (throws the redirect to the provider) or completes one
   * (returns the verified user). Every failure is an {@link AuthError}.
   */
  override async authenticate(request: Request): Promise<User> {
    const url = new URL(request.url);
    if (!["state", "code", "error"].some((name) => url.searchParams.has(name))) throw this.redirectToProvider(request);

    const state = url.searchParams.get("state") ?? "";
    const codeVerifier = this.#pendingLogins(request).get(state);
    if (!state || !codeVerifier) throw new AuthError("state_mismatch", "no login in progress in this browser has this state");
    const params = await attempt("invalid_id_token", "authorization response", () =>
      oauth.validateAuthResponse(this.#as, this.#client, url, state),
    );
    const tokens = await attempt("invalid_id_token", "token request", async () => {
      const auth = clientAuthentication(this.#as, this.oidcOptions);
      const response = await oauth.authorizationCodeGrantRequest(this.#as, this.#client, auth, params, this.oidcOptions.redirectURI, codeVerifier, this.#http);
      const result = await oauth.processAuthorizationCodeResponse(this.#as, this.#client, response, {
        expectedNonce: deriveNonce(codeVerifier),
        requireIdToken: true,
      });
      await this.#validateSignature(response);
      return result;
    });
    const claims = oauth.getValidatedIdTokenClaims(tokens) as IdTokenClaims;
    // oauth4webapi checks azp only with several audiences, and exp and nbf but not an iat from the future.
    if (claims.azp !== undefined && claims.azp !== this.clientId) throw new AuthError("invalid_id_token", "azp is another client");
    if (claims.iat! > Date.now() / 1000 + this.clockToleranceSeconds) throw new AuthError("clock_skew", "iat is in the future");
    const userinfo = await this.#fetchUserinfoIfNeeded(tokens.access_token, claims);
    const verified: OIDCStrategy.VerifyOptions = {
      request,
      tokens: new OAuth2Tokens(tokens),
      idToken: tokens.id_token!,
      claims,
      userinfo,
      profile: this.profile({ ...userinfo, ...claims }),
    };
    return this.verify(verified);
  }

  /** The `Set-Cookie` that forgets the login this callback answers, whatever its outcome; other tabs' logins stay. */
  finishLoginCookie(request: Request): string {
    const pending = this.#pendingLogins(request);
    pending.delete(new URL(request.url).searchParams.get("state") ?? "");
    return serializeEntries(this.#cookie.name, pending, this.#cookie);
  }

  /**
   * What to send to the provider's end-session endpoint for this logout, or
   * `null` when it has none (logout is then local only). Override it to add
   * parameters such as `uiLocales`; the URL itself is always built by `buildEndSessionUrl`.
   */
  async endSessionRequest(logout: OIDCStrategy.Logout): Promise<EndSessionRequest | null> {
    if (!this.metadata.end_session_endpoint) return null;
    return {
      endSessionEndpoint: this.metadata.end_session_endpoint,
      idTokenHint: logout.idToken,
      postLogoutRedirectUri: logout.postLogoutRedirectUri,
      clientId: this.clientId,
      state: logout.state,
    };
  }

  /** Validates a back-channel logout token from this provider (replays are the caller's to catch). */
  async validateLogoutToken(token: string): Promise<LogoutTokenClaims> {
    this.#logoutKeys ??= createRotatingKeySet(new URL(this.metadata.jwks_uri), { timeoutMs: this.oidcOptions.timeoutMs ?? 5000 });
    return validateLogoutToken(token, this.#logoutKeys, {
      issuer: this.issuer,
      clientId: this.clientId,
      algorithms: this.metadata.id_token_signing_alg_values_supported ?? ["RS256"],
      clockToleranceSeconds: this.clockToleranceSeconds,
      maxAgeSeconds: LOGOUT_TOKEN_MAX_AGE_SECONDS,
    });
  }

  /** Maps the claims (the ID token's, completed by userinfo) to what the app shows. Override it for other claim names. */
  profile(claims: IdTokenClaims): OIDCStrategy.Profile {
    return { username: claims.preferred_username ?? claims.email ?? claims.sub, name: claims.name, email: claims.email };
  }

  /** Fetches discovery afresh: for health checks. Throws an AuthError when the provider is unreachable. */
  async checkDiscovery(): Promise<void> {
    await discover(this.issuer, { timeoutMs: this.oidcOptions.timeoutMs });
  }

  /** The redirect to the authorization endpoint, remembering this login next to the (few) others in progress. */
  protected redirectToProvider(request: Request): Response {
    const { state, codeVerifier, url } = this.createAuthorizationURL();
    url.search = this.authorizationParams(url.searchParams, request).toString();
    const pending = withEntry(this.#pendingLogins(request), state, codeVerifier, MAX_PENDING_LOGINS);
    const headers = { Location: url.toString(), "Set-Cookie": serializeEntries(this.#cookie.name, pending, this.#cookie) };
    return new Response(null, { status: 302, headers });
  }

  /** Adds the `nonce`, derived from the PKCE verifier that only this browser's state cookie holds. */
  protected override createAuthorizationURL() {
    const authorization = super.createAuthorizationURL();
    authorization.url.searchParams.set("nonce", deriveNonce(authorization.codeVerifier));
    return authorization;
  }

  protected get clockToleranceSeconds(): number {
    return this.oidcOptions.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  }

  /** `state` -> PKCE verifier of the logins in progress in this browser, oldest first. */
  #pendingLogins(request: Request): URLSearchParams {
    return readEntries(request.headers.get("Cookie"), this.#cookie.name);
  }

  /** The ID token's signature; after the provider rotated its keys, an unknown `kid` reloads the JWKS (at most every 5 s). */
  async #validateSignature(response: Response): Promise<void> {
    try {
      await oauth.validateApplicationLevelSignature(this.#as, response, this.#http);
    } catch (error) {
      const unknownKey = error instanceof oauth.OperationProcessingError && error.code === oauth.KEY_SELECTION;
      if (!unknownKey || Date.now() - this.#keysReloadedAt < 5_000) throw error;
      this.#keysReloadedAt = Date.now();
      this.#as = { ...this.#as };
      await oauth.validateApplicationLevelSignature(this.#as, response, this.#http);
    }
  }

  /** OpenID Connect Core 5.4: the code flow's ID token may carry only `sub`; the profile is then at userinfo. */
  async #fetchUserinfoIfNeeded(accessToken: string, claims: IdTokenClaims): Promise<oauth.UserInfoResponse | undefined> {
    if (!this.#as.userinfo_endpoint || PROFILE_CLAIMS.some((name) => claims[name] !== undefined)) return undefined;
    return attempt("invalid_id_token", "userinfo", async () => {
      const response = await oauth.userInfoRequest(this.#as, this.#client, accessToken, this.#http);
      return oauth.processUserInfoResponse(this.#as, this.#client, claims.sub, response);
    });
  }
}

export namespace OIDCStrategy {
  export interface Options {
    /** The provider's discovery document, from {@link discover}: the issuer and every endpoint come from it. */
    metadata: ProviderMetadata;
    /** @example "remix-app" */
    clientId: string;
    /**
     * `null` for a public client (PKCE only). Sent as discovery's
     * `token_endpoint_auth_methods_supported` allows: HTTP Basic when listed, else in the form.
     */
    clientSecret: string | null;
    /**
     * Authenticates the client with a signed JWT (`private_key_jwt`, RFC 7523; Keycloak's
     * "Signed JWT") instead of the secret. Serve its public key where the provider can fetch it.
     * @example { key: await importPKCS8(pem, "RS256"), kid: "app-2026" }
     */
    clientPrivateKey?: oauth.PrivateKey;
    /**
     * Absolute callback URL registered at the provider. The state cookie is
     * scoped to its folder, which must also hold the login route.
     * @example "https://app.example.com/auth/demo/callback"
     */
    redirectURI: string;
    /** @default ["openid", "profile", "email"] */
    scopes?: string[];
    /** Name of the cookie holding the logins in progress (at most 3, 5 minutes). @default "oidc" */
    cookieName?: string;
    /** Allowed clock difference with the provider for `exp`, `nbf` and `iat`. @default 120 */
    clockToleranceSeconds?: number;
    /** Timeout for every request to the provider. @default 5000 */
    timeoutMs?: number;
    /**
     * `"post"` sends the end-session request as an auto-submitted form, keeping
     * the id_token out of URLs; only for providers whose endpoint accepts POST.
     * @default "redirect" ("post" for KeycloakStrategy)
     */
    logoutMethod?: LogoutMethod;
  }

  /** What the app knows of a logout in progress. */
  export interface Logout {
    /** The session's ID token; `null` when the session is already gone (the provider then asks the user). */
    idToken: string | null;
    postLogoutRedirectUri: string;
    /** Echoed back to `postLogoutRedirectUri`, where the app checks it. */
    state?: string;
  }

  export interface Profile {
    username: string;
    name?: string;
    email?: string;
  }

  export interface VerifyOptions extends OAuth2Strategy.VerifyOptions {
    /** The raw ID token: keep it for `id_token_hint` at logout. */
    idToken: string;
    /** The validated claims of the ID token. */
    claims: IdTokenClaims;
    /** The userinfo response, fetched only when the ID token has no profile claims (its `sub` is checked). */
    userinfo?: oauth.UserInfoResponse;
    /** The claims mapped by {@link OIDCStrategy.profile}. */
    profile: Profile;
  }

  export type VerifyFunction<User> = (options: VerifyOptions) => Promise<User>;
}

/** Servers' clocks drift; two minutes either way is accepted, more is refused with its own message. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 120;

/** Keycloak's logout tokens live 2 minutes; this leaves room for slow delivery. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

/** Logins of one provider in progress in one browser (tabs); a flood of login links only replaces the oldest. */
export const MAX_PENDING_LOGINS = 3;

/** When the ID token has none of these, the profile is read from userinfo. */
const PROFILE_CLAIMS = ["name", "preferred_username", "email"] as const;

/** A nonce only the browser holding the PKCE verifier can reproduce, so no server-side state is needed. */
export function deriveNonce(codeVerifier: string): string {
  return createHash("sha256").update(`nonce:${codeVerifier}`).digest("base64url");
}

/** Discovery's `token_endpoint_auth_methods_supported` decides; absent, it means `client_secret_basic`. */
function clientAuthentication(metadata: ProviderMetadata, options: OIDCStrategy.Options): oauth.ClientAuth {
  if (options.clientPrivateKey) return oauth.PrivateKeyJwt(options.clientPrivateKey);
  if (!options.clientSecret) return oauth.None();
  const methods = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  const post = !methods.includes("client_secret_basic") && methods.includes("client_secret_post");
  return post ? oauth.ClientSecretPost(options.clientSecret) : oauth.ClientSecretBasic(options.clientSecret);
}

/** Every request to the provider times out, and a provider that cannot answer (network, 5xx) is "unreachable". */
function httpOptions(issuer: URL, timeoutMs: number) {
  return {
    signal: () => AbortSignal.timeout(timeoutMs),
    [oauth.customFetch]: fetchOrUnreachable,
    // An http issuer is a deliberate choice of the configuration (development, loopback).
    [oauth.allowInsecureRequests]: issuer.protocol === "http:",
  };
}

async function fetchOrUnreachable(url: string, init: RequestInit): Promise<Response> {
  const { pathname } = new URL(url);
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new AuthError("idp_unreachable", `${pathname}: ${describe(error)}`, { cause: error });
  }
  if (response.status >= 500) throw new AuthError("idp_unreachable", `${pathname} answered HTTP ${response.status}`);
  return response;
}

/** Runs one protocol step; oauth4webapi's errors become AuthErrors, `code` for those without a more precise one. */
async function attempt<T>(code: AuthErrorCode, step: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AuthError) throw error;
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new AuthError("idp_error", `${error.error}: ${error.error_description ?? ""}`, { cause: error });
    }
    if (error instanceof oauth.ResponseBodyError || error instanceof oauth.WWWAuthenticateChallengeError) {
      throw new AuthError("token_exchange_failed", `${step}: HTTP ${error.status} ${describe(error)}`, { cause: error });
    }
    const clock = error instanceof oauth.OperationProcessingError && error.code === oauth.JWT_TIMESTAMP_CHECK;
    throw new AuthError(clock ? "clock_skew" : code, `${step}: ${describe(error)}`, { cause: error });
  }
}

function describe(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) return `${error.error}: ${error.error_description ?? ""}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
