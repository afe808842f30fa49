import { OAuth2Tokens } from "arctic";
import type { JWTPayload, JWTVerifyGetKey } from "jose";
import * as oauth from "oauth4webapi";
import type { Strategy } from "remix-auth/strategy";
import { OAuth2Strategy } from "remix-auth-oauth2";
import { BoundedEntriesCookie, stateCookie } from "../http/cookies.server";
import type { EndSessionRequest, LogoutMethod } from "./end-session.server";
import { AuthError } from "../core/errors";
import { DpopSigners, generateDpopKey, type DpopKey, type DpopSigner } from "./dpop.server";
import { createRotatingKeySet, validateJwtAccessToken, type IdTokenClaims } from "./jwt.server";
import { LOGOUT_TOKEN_MAX_AGE_SECONDS, validateLogoutToken, type LogoutTokenClaims } from "./logout-token.server";
import type { OIDCLogout, OIDCProfile, OIDCStrategyOptions, OIDCVerifyOptions } from "./oidc-options";
import * as protocol from "./oidc-protocol.server";
import { introspectToken, redeemCode, refreshTokens, revokeToken, type RefreshLogin } from "./token-grants.server";

export { deriveNonce, discover, type ProviderMetadata } from "./oidc-protocol.server";

/** Logins of one provider in progress in one browser (tabs); a flood of login links only replaces the oldest. */
export const MAX_PENDING_LOGINS = 3;

/**
 * A remix-auth strategy for any OpenID Connect provider, built from its discovery document: the code flow with
 * PKCE S256, `state` and a `nonce` bound to the browser, the RFC 9207 `iss` check, client authentication as the
 * provider supports it, optionally DPoP, and a validated ID token (completed by userinfo when it carries no
 * profile) handed to the verify callback. oauth4webapi does the protocol work. Every failure is an {@link AuthError}.
 * @example
 * const options = { metadata: await discover("https://login.example.com"), clientId: "app", clientSecret: "s3cret", redirectURI: "https://app.example.com/auth/x/callback" };
 * new OIDCStrategy(options, async ({ claims, idToken, profile }) => ({ sub: claims.sub, idToken, ...profile }));
 */
export class OIDCStrategy<User> extends OAuth2Strategy<User> {
  override name = "oidc";
  /** The issuer exactly as discovery (and the configuration) names it. */
  readonly issuer: string;
  readonly clientId: string;
  readonly logoutMethod: LogoutMethod;
  readonly metadata: protocol.ProviderMetadata;
  protected readonly oidcOptions: OIDCStrategy.Options;
  /** oauth4webapi caches the JWKS per metadata object: a fresh copy makes it fetch the keys again. */
  #as: protocol.ProviderMetadata;
  readonly #client: oauth.Client;
  readonly #http: ReturnType<typeof protocol.httpOptions>;
  /** How this client authenticates at the token and revocation endpoints. */
  readonly #auth: oauth.ClientAuth;
  /** `state` -> PKCE verifier of the logins in progress in this browser. */
  readonly #logins: BoundedEntriesCookie;
  #keysReloadedAt = 0;
  /** The provider's keys for the JWTs checked with jose (logout and access tokens). */
  readonly #jwtKeys: JWTVerifyGetKey;
  /** Sessions' DPoP keys, ready to sign; those made while `dpop` was on still work after it is turned off. */
  readonly #dpop: DpopSigners;

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
    this.#http = protocol.httpOptions(new URL(metadata.issuer), options.timeoutMs ?? 5000, options.onProviderAnswer);
    this.#auth = protocol.clientAuthentication(metadata, options);
    this.#dpop = new DpopSigners(this.#client);
    this.#jwtKeys = createRotatingKeySet(new URL(metadata.jwks_uri), { timeoutMs: options.timeoutMs ?? 5000 });
    const callback = new URL(options.redirectURI);
    // Over http, scoped to the callback's folder, so that the login route (a sibling) sees the logins in progress.
    const { name, attributes } = stateCookie(options.cookieName ?? "oidc", {
      path: new URL(".", callback).pathname,
      secure: callback.protocol === "https:",
      maxAge: 300,
    });
    this.#logins = new BoundedEntriesCookie(name, attributes, MAX_PENDING_LOGINS);
  }

  /** Starts a login (throws the redirect to the provider) or completes one (returns the verified user). */
  override async authenticate(request: Request): Promise<User> {
    const url = new URL(request.url);
    const isCallback = ["state", "code", "error"].some((name) => url.searchParams.has(name));
    if (!isCallback) throw this.redirectToProvider(request);

    const state = url.searchParams.get("state") ?? "";
    const codeVerifier = this.#logins.read(request).get(state);
    if (!state || !codeVerifier) throw new AuthError("state_mismatch", "no login in progress here has this state");
    const params = await protocol.protocolStep("invalid_id_token", "authorization response", () =>
      oauth.validateAuthResponse(this.#as, this.#client, url, state),
    );
    const dpopKey = this.oidcOptions.dpop ? await generateDpopKey() : undefined;
    const [as, client, http] = [this.#as, this.#client, await this.#httpWith(dpopKey)];
    const { redirectURI } = this.oidcOptions;
    const tokens = await redeemCode(as, client, this.#auth, http, { params, redirectURI, codeVerifier }, (response) =>
      this.#validateSignature(response),
    );
    const claims = protocol.checkedClaims(tokens, this.clientId, this.clockToleranceSeconds);
    const userinfo = await protocol.userinfoIfNeeded(as, client, http, tokens.access_token, claims);
    const profile = this.profile({ ...userinfo, ...claims });
    const idToken = tokens.id_token!;
    const verified: OIDCStrategy.VerifyOptions = {
      request,
      tokens: new OAuth2Tokens(tokens),
      idToken,
      claims,
      userinfo,
      profile,
      dpopKey,
    };
    return this.verify(verified);
  }

  /** The `Set-Cookie` that forgets the login this callback answers, whatever its outcome; other tabs' logins stay. */
  finishLoginCookie(request: Request): string {
    return this.#logins.remove(request, new URL(request.url).searchParams.get("state") ?? "");
  }

  /**
   * What to send to the provider's end-session endpoint, or `null` when it has none (logout is then local only).
   * Override it to add parameters such as `uiLocales`; the URL itself is always built by `buildEndSessionUrl`.
   */
  async endSessionRequest(logout: OIDCStrategy.Logout): Promise<EndSessionRequest | null> {
    if (!this.metadata.end_session_endpoint) return null;
    const { end_session_endpoint: endSessionEndpoint } = this.metadata;
    const { idToken: idTokenHint, postLogoutRedirectUri, state } = logout;
    return { endSessionEndpoint, idTokenHint, postLogoutRedirectUri, clientId: this.clientId, state };
  }

  /** Validates a back-channel logout token from this provider (replays are the caller's to catch). */
  async validateLogoutToken(token: string): Promise<LogoutTokenClaims> {
    return validateLogoutToken(token, this.#jwtKeys, {
      issuer: this.issuer,
      clientId: this.clientId,
      algorithms: this.metadata.id_token_signing_alg_values_supported ?? ["RS256"],
      clockToleranceSeconds: this.clockToleranceSeconds,
      maxAgeSeconds: LOGOUT_TOKEN_MAX_AGE_SECONDS,
    });
  }

  /** New tokens (send the rotated refresh token next time); `session_ended` when refused or not about `login`. */
  async refresh(refreshToken: string, login: RefreshLogin, dpopKey?: DpopKey): Promise<oauth.TokenEndpointResponse> {
    return this.#refresh(refreshToken, login, dpopKey);
  }

  /**
   * remix-auth-oauth2's `refreshToken`, made like every other token call (`private_key_jwt` too; AuthErrors). Its
   * ID token is checked as a login's but not held to the login: the app renews with `refresh(refreshToken, login)`.
   */
  override async refreshToken(refreshToken: string): Promise<OAuth2Tokens> {
    return new OAuth2Tokens(await this.#refresh(refreshToken));
  }

  /** remix-auth-oauth2's `revokeToken` (RFC 7009), made like every other token call. */
  override async revokeToken(token: string): Promise<void> {
    await revokeToken(this.#as, this.#client, this.#auth, this.#http, token);
  }

  /** RFC 7662 introspection of a token: `active`, and the claims a lightweight access token leaves out. */
  introspect = (token: string) => introspectToken(this.#as, this.#client, this.#auth, this.#http, token);

  /** Calls the userinfo endpoint with an access token (the answer must be about `sub`); `null` when it refuses the token. */
  async userinfo(accessToken: string, sub: string, dpopKey?: DpopKey): Promise<oauth.UserInfoResponse | null> {
    return protocol.fetchUserinfo(this.#as, this.#client, await this.#httpWith(dpopKey), accessToken, sub);
  }

  /** What signs the proofs of a session's DPoP key. */
  dpopSigner(key: DpopKey): Promise<DpopSigner> {
    return this.#dpop.get(key);
  }

  /** The claims of a JWT access token (Keycloak's), validated: signature, `iss`, `exp`, issued to this client. */
  async validateAccessToken(token: string): Promise<JWTPayload> {
    return validateJwtAccessToken(token, this.#jwtKeys, {
      issuer: this.issuer,
      clientId: this.clientId,
      algorithms: this.metadata.id_token_signing_alg_values_supported ?? ["RS256"],
      clockToleranceSeconds: this.clockToleranceSeconds,
    });
  }

  /** Maps the claims (the ID token's, completed by userinfo) to what the app shows. Override for other claim names. */
  profile(claims: IdTokenClaims): OIDCStrategy.Profile {
    const { preferred_username, email, name, sub } = claims;
    return { username: preferred_username ?? email ?? sub, name, email };
  }

  /** Fetches discovery afresh: for health checks. Throws an AuthError when the provider is unreachable. */
  async checkDiscovery(): Promise<void> {
    await protocol.discover(this.issuer, this.oidcOptions);
  }

  /** The redirect to the authorization endpoint, remembering this login next to the (few) others in progress. */
  protected redirectToProvider(request: Request): Response {
    const { state, codeVerifier, url } = this.createAuthorizationURL();
    url.search = this.authorizationParams(url.searchParams, request).toString();
    const headers = { Location: url.toString(), "Set-Cookie": this.#logins.add(request, state, codeVerifier) };
    return new Response(null, { status: 302, headers });
  }

  /** Adds the `nonce`, derived from the PKCE verifier that only this browser's state cookie holds. */
  protected override createAuthorizationURL() {
    const authorization = super.createAuthorizationURL();
    authorization.url.searchParams.set("nonce", protocol.deriveNonce(authorization.codeVerifier));
    return authorization;
  }

  protected get clockToleranceSeconds(): number {
    return this.oidcOptions.clockToleranceSeconds ?? protocol.DEFAULT_CLOCK_TOLERANCE_SECONDS;
  }

  async #refresh(refreshToken: string, login?: RefreshLogin, dpopKey?: DpopKey) {
    const validateSignature = (response: Response) => this.#validateSignature(response);
    const check = { login, clientId: this.clientId, clockTolerance: this.clockToleranceSeconds, validateSignature };
    return refreshTokens(this.#as, this.#client, this.#auth, await this.#httpWith(dpopKey), refreshToken, check);
  }

  async #httpWith(dpopKey: DpopKey | undefined): Promise<protocol.Http> {
    return dpopKey ? { ...this.#http, DPoP: (await this.dpopSigner(dpopKey)).handle } : this.#http;
  }

  /** The ID token's signature; after a key rotation, an unknown `kid` reloads the JWKS (at most every 5 s). */
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
}

/** The strategy's types, documented in ./oidc-options.ts. */
export namespace OIDCStrategy {
  export type Options = OIDCStrategyOptions;
  export type Logout = OIDCLogout;
  export type Profile = OIDCProfile;
  export type VerifyOptions = OIDCVerifyOptions;
  export type VerifyFunction<User> = (options: VerifyOptions) => Promise<User>;
}
