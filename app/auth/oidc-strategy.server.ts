import { createHash } from "node:crypto";
import { OAuth2Tokens } from "arctic";
import type { JWTVerifyGetKey } from "jose";
import { OAuth2RequestError, OAuth2Strategy } from "remix-auth-oauth2";
import { parseCookieHeader, serializeCookie } from "./cookies.server";
import type { EndSessionRequest, LogoutMethod } from "./end-session.server";
import { AuthError } from "./errors";
import { createRotatingKeySet, validateIdToken, type IdTokenClaims } from "./id-token.server";
import { validateLogoutToken, type LogoutTokenClaims } from "./logout-token.server";

/** The parts of an OpenID Provider's discovery document this strategy uses. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
}

/**
 * A remix-auth strategy for any OpenID Connect provider: discovery, the code
 * flow with PKCE S256, `state` and a `nonce` bound to the browser, and a fully
 * validated ID token handed to the verify callback.
 *
 * @example
 * ```ts
 * authenticator.use(
 *   new OIDCStrategy(
 *     { issuer: "https://login.example.com", clientId: "app", clientSecret: "s3cret",
 *       redirectURI: "https://app.example.com/auth/example/callback" },
 *     async ({ claims, idToken }) => ({ sub: claims.sub, idToken }),
 *   ),
 *   "example",
 * );
 * ```
 */
export class OIDCStrategy<User> extends OAuth2Strategy<User> {
  override name = "oidc";
  readonly issuer: string;
  readonly clientId: string;
  protected readonly oidcOptions: OIDCStrategy.Options;
  readonly #stateCookie: { name: string; path: string; secure: boolean };
  #metadata: Promise<{ metadata: ProviderMetadata; keys: JWTVerifyGetKey }> | undefined;
  /** Validated claims of the tokens being handed to `verify`, so the verify callback gets them without re-parsing. */
  #validated = new WeakMap<OAuth2Tokens, { idToken: string; claims: IdTokenClaims }>();

  constructor(options: OIDCStrategy.Options, verify: OIDCStrategy.VerifyFunction<User>) {
    const callbackUrl = new URL(options.redirectURI);
    const stateCookie = {
      name: options.cookieName ?? "oidc",
      path: callbackUrl.pathname,
      secure: callbackUrl.protocol === "https:",
    };
    super(
      {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectURI: options.redirectURI,
        scopes: options.scopes ?? ["openid", "profile", "email"],
        // Replaced by the discovered endpoints before first use.
        authorizationEndpoint: options.issuer,
        tokenEndpoint: options.issuer,
        cookie: {
          name: stateCookie.name,
          path: stateCookie.path,
          sameSite: "Lax",
          httpOnly: true,
          ...(stateCookie.secure && { secure: true }),
        },
      },
      () => Promise.reject(new Error("unreachable: replaced below")),
    );
    this.issuer = options.issuer.replace(/\/+$/, "");
    this.clientId = options.clientId;
    this.oidcOptions = options;
    this.#stateCookie = stateCookie;
    this.verify = async ({ request, tokens }) => {
      const validated = this.#validated.get(tokens);
      if (!validated) throw new AuthError("invalid_id_token", "tokens were not validated");
      return verify({ request, tokens, ...validated, profile: this.profile(validated.claims) });
    };
  }

  /**
   * Starts a login (a request without `state`: throws the redirect to the
   * provider) or completes one (returns the verified user). Every failure is
   * an {@link AuthError}; redirects are thrown as `Response`s.
   */
  override async authenticate(request: Request): Promise<User> {
    try {
      await this.discover();
      return await super.authenticate(request);
    } catch (error) {
      throw toAuthError(error);
    }
  }

  /**
   * What to send to the provider's end-session endpoint for this logout, or
   * `null` when it has none (logout is then local only). Override it to add
   * parameters such as `uiLocales` or `state`; the URL itself is always built
   * by `buildEndSessionUrl`.
   */
  async endSessionRequest(logout: OIDCStrategy.Logout): Promise<EndSessionRequest | null> {
    const { metadata } = await this.discover();
    if (!metadata.end_session_endpoint) return null;
    return {
      endSessionEndpoint: metadata.end_session_endpoint,
      idTokenHint: logout.idToken,
      postLogoutRedirectUri: logout.postLogoutRedirectUri,
      clientId: this.clientId,
      state: logout.state,
    };
  }

  /** Validates a back-channel logout token from this provider (replays are the caller's to catch). */
  async validateLogoutToken(token: string): Promise<LogoutTokenClaims> {
    const { metadata, keys } = await this.discover();
    return validateLogoutToken(token, keys, {
      issuer: this.issuer,
      clientId: this.clientId,
      algorithms: metadata.id_token_signing_alg_values_supported ?? ["RS256"],
      clockToleranceSeconds: this.oidcOptions.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      maxAgeSeconds: LOGOUT_TOKEN_MAX_AGE_SECONDS,
    });
  }

  /** Maps the ID token's claims to what the app shows. Override it for providers with other claim names. */
  profile(claims: IdTokenClaims): OIDCStrategy.Profile {
    return {
      username: claims.preferred_username ?? claims.email ?? claims.sub,
      name: claims.name,
      email: claims.email,
    };
  }

  /**
   * `Set-Cookie` headers that delete the state/PKCE cookie of the login this
   * callback answers. The base class leaves it behind; other tabs' logins
   * in progress keep theirs.
   */
  clearStateCookies(request: Request): string[] {
    const state = new URL(request.url).searchParams.get("state");
    if (!state) return [];
    const { name, path, secure } = this.#stateCookie;
    const headers: string[] = [];
    for (const [cookieName, value] of parseCookieHeader(request.headers.get("Cookie"))) {
      if (cookieName.startsWith(`${name}:`) && new URLSearchParams(value).has(state)) {
        headers.push(serializeCookie(cookieName, "", { path, secure, maxAge: 0 }));
      }
    }
    return headers;
  }

  /** Fetches discovery afresh (not from the cache): for health checks. Throws an AuthError when the provider is unreachable. */
  async checkDiscovery(): Promise<void> {
    await this.fetchMetadata();
  }

  /** Fetches and caches discovery and the JWKS; a failure is not cached, the next call tries again. */
  protected discover(): Promise<{ metadata: ProviderMetadata; keys: JWTVerifyGetKey }> {
    this.#metadata ??= this.fetchMetadata().then(
      (metadata) => {
        this.options.authorizationEndpoint = metadata.authorization_endpoint;
        this.options.tokenEndpoint = metadata.token_endpoint;
        const keys = createRotatingKeySet(new URL(metadata.jwks_uri), { timeoutMs: this.timeoutMs });
        return { metadata, keys };
      },
      (error: unknown) => {
        this.#metadata = undefined;
        throw error;
      },
    );
    return this.#metadata;
  }

  protected async fetchMetadata(): Promise<ProviderMetadata> {
    const url = `${this.issuer}/.well-known/openid-configuration`;
    let body: Partial<ProviderMetadata>;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
      body = (await response.json()) as Partial<ProviderMetadata>;
    } catch (error) {
      throw new AuthError("idp_unreachable", `discovery at ${url} failed: ${describe(error)}`, { cause: error });
    }
    // Mix-up protection: the document must describe the issuer we asked for.
    if (body.issuer !== this.issuer) {
      throw new AuthError("idp_unreachable", `discovery at ${url} names issuer "${body.issuer}", expected "${this.issuer}"`);
    }
    for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
      if (typeof body[field] !== "string") throw new AuthError("idp_unreachable", `discovery at ${url} has no ${field}`);
    }
    // The browser is sent there at logout: anything but http(s) (javascript:, data:, garbage) is refused here.
    if (body.end_session_endpoint !== undefined && !isHttpUrl(body.end_session_endpoint)) {
      throw new AuthError("idp_unreachable", `discovery at ${url} has an end_session_endpoint that is not an http(s) URL`);
    }
    return body as ProviderMetadata;
  }

  /** Adds the `nonce`, derived from the PKCE verifier that only this browser's state cookie holds. */
  protected override createAuthorizationURL() {
    const authorization = super.createAuthorizationURL();
    authorization.url.searchParams.set("nonce", deriveNonce(authorization.codeVerifier));
    return authorization;
  }

  /** Exchanges the code (with a timeout) and validates the ID token against this browser's nonce. */
  protected override async validateAuthorizationCode(code: string, codeVerifier: string): Promise<OAuth2Tokens> {
    const { metadata, keys } = await this.discover();
    const tokens = await this.requestTokens(metadata.token_endpoint, code, codeVerifier);
    const idToken = tokens.data && (tokens.data as { id_token?: unknown }).id_token;
    if (typeof idToken !== "string") {
      throw new AuthError("invalid_id_token", "the token response has no id_token (is the openid scope granted?)");
    }
    const claims = await validateIdToken(idToken, keys, {
      issuer: this.issuer,
      clientId: this.clientId,
      nonce: deriveNonce(codeVerifier),
      algorithms: metadata.id_token_signing_alg_values_supported ?? ["RS256"],
      clockToleranceSeconds: this.oidcOptions.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    });
    this.#validated.set(tokens, { idToken, claims });
    return tokens;
  }

  protected async requestTokens(tokenEndpoint: string, code: string, codeVerifier: string): Promise<OAuth2Tokens> {
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: this.oidcOptions.redirectURI,
      code_verifier: codeVerifier,
    });
    const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" });
    if (this.oidcOptions.clientSecret) {
      // RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
      const credentials = `${formEncode(this.clientId)}:${formEncode(this.oidcOptions.clientSecret)}`;
      headers.set("Authorization", `Basic ${Buffer.from(credentials).toString("base64")}`);
    } else {
      body.set("client_id", this.clientId);
    }

    let response: Response;
    let json: Record<string, unknown>;
    try {
      response = await fetch(tokenEndpoint, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      json = (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new AuthError("idp_unreachable", `token endpoint failed: ${describe(error)}`, { cause: error });
    }
    if (response.status >= 500) {
      throw new AuthError("idp_unreachable", `token endpoint answered HTTP ${response.status}`);
    }
    if (!response.ok) {
      const reason = [json.error, json.error_description].filter((part) => typeof part === "string").join(": ");
      throw new AuthError("token_exchange_failed", `token endpoint answered HTTP ${response.status} ${reason}`);
    }
    return new OAuth2Tokens(json);
  }

  /** How the browser goes to the end-session endpoint. */
  get logoutMethod(): LogoutMethod {
    return this.oidcOptions.logoutMethod ?? "redirect";
  }

  private get timeoutMs(): number {
    return this.oidcOptions.timeoutMs ?? 5000;
  }
}

export namespace OIDCStrategy {
  export interface Options {
    /**
     * The issuer identifier; discovery is read from `${issuer}/.well-known/openid-configuration`
     * and its `issuer` must match exactly.
     * @example "https://sso.example.com/realms/demo"
     */
    issuer: string;
    /** @example "remix-app" */
    clientId: string;
    /** `null` for a public client (PKCE only). Sent with HTTP Basic authentication. */
    clientSecret: string | null;
    /**
     * Absolute callback URL registered at the provider. The state cookie is
     * scoped to its path.
     * @example "https://app.example.com/auth/demo/callback"
     */
    redirectURI: string;
    /** @default ["openid", "profile", "email"] */
    scopes?: string[];
    /**
     * Prefix of the state/PKCE cookie; give each strategy its own so logins
     * to two providers in two tabs cannot mix.
     * @default "oidc"
     * @example "oidc:acme"
     */
    cookieName?: string;
    /** Allowed clock difference with the provider for `exp`/`iat`. @default 120 */
    clockToleranceSeconds?: number;
    /** Timeout for every request to the provider. @default 5000 */
    timeoutMs?: number;
    /**
     * `"post"` sends the end-session request as an auto-submitted form, keeping
     * the id_token out of URLs; only for providers whose endpoint accepts POST
     * (Keycloak's does). With `"redirect"`, a URL too long for the provider is
     * sent as a form POST anyway.
     * @default "redirect"
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
    /** The claims mapped by {@link OIDCStrategy.profile}. */
    profile: Profile;
  }

  export type VerifyFunction<User> = (options: VerifyOptions) => Promise<User>;
}

/** Servers' clocks drift; two minutes either way is accepted, more is refused with its own message. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 120;

/** Keycloak's logout tokens live 2 minutes; this leaves room for slow delivery. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

/** A nonce only the browser holding the PKCE verifier can reproduce, so no server-side state is needed. */
export function deriveNonce(codeVerifier: string): string {
  return createHash("sha256").update(`nonce:${codeVerifier}`).digest("base64url");
}

/** Wraps the base class's plain errors into AuthErrors; redirects (Responses) pass through. */
function toAuthError(error: unknown): unknown {
  if (error instanceof Response || error instanceof AuthError) return error;
  if (error instanceof OAuth2RequestError) {
    return new AuthError("idp_error", `${error.code}: ${error.description ?? ""}`, { cause: error });
  }
  if (error instanceof ReferenceError || error instanceof RangeError) {
    return new AuthError("state_mismatch", error.message, { cause: error });
  }
  return error;
}

function isHttpUrl(value: unknown): boolean {
  return typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
