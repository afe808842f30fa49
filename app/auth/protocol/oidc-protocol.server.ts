// The OpenID Connect protocol steps OIDCStrategy takes, as oauth4webapi
// (certified by the OpenID Foundation) performs them; here only what the app
// decides: timeouts, which client authentication, and which AuthError a failure is.
import { createHash } from "node:crypto";
import * as oauth from "oauth4webapi";
import { AuthError, type AuthErrorCode } from "../core/errors";
import { withDpopNonce } from "./dpop.server";
import type { IdTokenClaims } from "./jwt.server";

/** A provider's discovery document, checked by oauth4webapi, with the endpoints a login needs. */
export type ProviderMetadata = oauth.AuthorizationServer & {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
};

/** The client's secret or private key; neither: a public client (PKCE only). */
export interface ClientCredentials {
  clientSecret: string | null;
  clientPrivateKey?: oauth.PrivateKey;
}

/** Servers' clocks drift; two minutes either way is accepted, more is refused with its own message. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 120;

/**
 * Reads the provider's discovery document from `issuer` + `/.well-known/openid-configuration`
 * (one trailing slash of the issuer dropped first); its `issuer` must equal `issuer`, else
 * an {@link AuthError} `issuer_mismatch`. Every other failure is an AuthError `idp_unreachable`.
 */
export async function discover(
  issuer: string,
  { timeoutMs = 5000, onProviderAnswer }: { timeoutMs?: number; onProviderAnswer?: AnswerListener } = {},
): Promise<ProviderMetadata> {
  const url = new URL(issuer);
  const metadata = await protocolStep("idp_unreachable", "discovery", async () => {
    const response = await oauth.discoveryRequest(url, httpOptions(url, timeoutMs, onProviderAnswer));
    try {
      return await oauth.processDiscoveryResponse(url, response);
    } catch (error) {
      const answered = answeredIssuer(error);
      if (answered === undefined) throw error;
      throw new AuthError(
        "issuer_mismatch",
        `discovery answered as issuer ${JSON.stringify(answered)}, the app expects ${JSON.stringify(url.href)}`,
        { cause: error },
      );
    }
  });
  for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    if (typeof metadata[field] !== "string")
      throw new AuthError("idp_unreachable", `discovery of ${issuer} has no ${field}`);
  }
  // The browser is sent there at logout: anything but http(s) (javascript:, data:, garbage) is refused here.
  if (metadata.end_session_endpoint !== undefined && !isHttpUrl(metadata.end_session_endpoint)) {
    throw new AuthError(
      "idp_unreachable",
      `discovery of ${issuer} has an end_session_endpoint that is not an http(s) URL`,
    );
  }
  return metadata as ProviderMetadata;
}

/** The issuer a discovery document named, when oauth4webapi refused it for not being the expected one. */
export function answeredIssuer(error: unknown): string | undefined {
  if (!(error instanceof oauth.OperationProcessingError) || error.code !== oauth.JSON_ATTRIBUTE_COMPARISON)
    return undefined;
  const { attribute, body } = error.cause as { attribute?: string; body?: { issuer?: unknown } };
  return attribute === "issuer" ? String(body?.issuer) : undefined;
}

function isHttpUrl(value: unknown): boolean {
  return typeof value === "string" && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

/** A nonce only the browser holding the PKCE verifier can reproduce, so no server-side state is needed. */
export function deriveNonce(codeVerifier: string): string {
  return createHash("sha256").update(`nonce:${codeVerifier}`).digest("base64url");
}

/**
 * `private_key_jwt` when a key is configured; otherwise discovery's
 * `token_endpoint_auth_methods_supported` decides between HTTP Basic (preferred,
 * and the default when the list is absent) and the form (`client_secret_post`).
 */
export function clientAuthentication(metadata: ProviderMetadata, client: ClientCredentials): oauth.ClientAuth {
  if (client.clientPrivateKey) return oauth.PrivateKeyJwt(client.clientPrivateKey);
  if (!client.clientSecret) return oauth.None();
  const methods = metadata.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
  const post = !methods.includes("client_secret_basic") && methods.includes("client_secret_post");
  return post ? oauth.ClientSecretPost(client.clientSecret) : oauth.ClientSecretBasic(client.clientSecret);
}

/**
 * The ID token's claims, as oauth4webapi validated them (signature aside), with
 * the checks it leaves out: `azp` with a single audience (OpenID Connect Core
 * 3.1.3.7 item 5) and an `iat` from the future, which means the clocks differ.
 */
export function checkedClaims(
  tokens: oauth.TokenEndpointResponse,
  clientId: string,
  clockTolerance: number,
): IdTokenClaims {
  const claims = oauth.getValidatedIdTokenClaims(tokens) as IdTokenClaims;
  if (claims.azp !== undefined && claims.azp !== clientId)
    throw new AuthError("invalid_id_token", "azp is another client");
  if (claims.iat! > Date.now() / 1000 + clockTolerance) throw new AuthError("clock_skew", "iat is in the future");
  return claims;
}

/** When the ID token has none of these, the profile is read from userinfo. */
const PROFILE_CLAIMS = ["name", "preferred_username", "email"] as const;

/**
 * OpenID Connect Core 5.4: the code flow's ID token may carry only `sub`.
 * Then (only then) the profile is read from userinfo, whose `sub` must be the same.
 */
export async function userinfoIfNeeded(
  as: ProviderMetadata,
  client: oauth.Client,
  http: Http,
  accessToken: string,
  claims: IdTokenClaims,
): Promise<oauth.UserInfoResponse | undefined> {
  if (!as.userinfo_endpoint || PROFILE_CLAIMS.some((name) => claims[name] !== undefined)) return undefined;
  return protocolStep("invalid_id_token", "userinfo", async () => {
    const response = await withDpopNonce(http.DPoP, () => oauth.userInfoRequest(as, client, accessToken, http));
    return oauth.processUserInfoResponse(as, client, claims.sub, response);
  });
}

/** The userinfo response for an access token, about `sub`; `null` when the provider refuses the token (401). */
export async function fetchUserinfo(
  as: ProviderMetadata,
  client: oauth.Client,
  http: Http,
  accessToken: string,
  sub: string,
): Promise<oauth.UserInfoResponse | null> {
  if (!as.userinfo_endpoint) throw new AuthError("token_exchange_failed", "the provider has no userinfo endpoint");
  return protocolStep("token_exchange_failed", "userinfo", async () => {
    const response = await withDpopNonce(http.DPoP, () => oauth.userInfoRequest(as, client, accessToken, http));
    if (response.status === 401) return null;
    return oauth.processUserInfoResponse(as, client, sub, response);
  });
}

/** Told whether each request to the provider got an answer (`true`: any status below 500). */
export type AnswerListener = (answered: boolean) => void;

/** How requests to the provider are made: {@link httpOptions}, and the session's DPoP handle when it has one. */
export type Http = ReturnType<typeof httpOptions> & oauth.DPoPRequestOptions;

/**
 * Every request to the provider times out, and a provider that cannot answer (network, 5xx) is "unreachable";
 * `onAnswer` hears of each outcome.
 */
export function httpOptions(issuer: URL, timeoutMs: number, onAnswer?: AnswerListener) {
  return {
    signal: () => AbortSignal.timeout(timeoutMs),
    [oauth.customFetch]: (url: string, init: RequestInit) => fetchOrUnreachable(url, init, onAnswer),
    // An http issuer is a deliberate choice of the configuration (development, loopback).
    [oauth.allowInsecureRequests]: issuer.protocol === "http:",
  };
}

async function fetchOrUnreachable(url: string, init: RequestInit, onAnswer?: AnswerListener): Promise<Response> {
  const { pathname } = new URL(url);
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    onAnswer?.(false);
    throw new AuthError("idp_unreachable", `${pathname}: ${describe(error)}`, { cause: error });
  }
  onAnswer?.(response.status < 500);
  if (response.status >= 500) throw new AuthError("idp_unreachable", `${pathname} answered HTTP ${response.status}`);
  return response;
}

/**
 * Runs one protocol step; oauth4webapi's errors become AuthErrors by their
 * class and code, `code` for those without a more precise one.
 */
export async function protocolStep<T>(code: AuthErrorCode, step: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AuthError) throw error;
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new AuthError("idp_error", `${error.error}: ${error.error_description ?? ""}`, { cause: error });
    }
    if (clientRefused(error)) {
      throw new AuthError("client_rejected", `${step}: HTTP ${error.status} ${describe(error)}`, { cause: error });
    }
    if (error instanceof oauth.ResponseBodyError || error instanceof oauth.WWWAuthenticateChallengeError) {
      throw new AuthError("token_exchange_failed", `${step}: HTTP ${error.status} ${describe(error)}`, {
        cause: error,
      });
    }
    const clock = error instanceof oauth.OperationProcessingError && error.code === oauth.JWT_TIMESTAMP_CHECK;
    throw new AuthError(clock ? "clock_skew" : code, `${step}: ${describe(error)}`, { cause: error });
  }
}

/**
 * The provider refused the app itself, not the user or the code: `invalid_client` or `unauthorized_client`
 * (RFC 6749 5.2), or a 401 challenging for the client's Basic credentials. Every login fails alike until an
 * administrator fixes the client.
 */
function clientRefused(error: unknown): error is oauth.ResponseBodyError | oauth.WWWAuthenticateChallengeError {
  if (error instanceof oauth.ResponseBodyError) return CLIENT_REFUSED.has(error.error);
  if (!(error instanceof oauth.WWWAuthenticateChallengeError) || error.status !== 401) return false;
  return error.cause.some(({ scheme, parameters }) => scheme === "basic" || CLIENT_REFUSED.has(parameters.error ?? ""));
}
const CLIENT_REFUSED = new Set(["invalid_client", "unauthorized_client"]);

/** An error as the log says it: oauth4webapi's error code and description, or the error's name and message. */
export function describe(error: unknown): string {
  if (error instanceof oauth.ResponseBodyError) return `${error.error}: ${error.error_description ?? ""}`;
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenges = error.cause.map(({ scheme, parameters }) =>
      [scheme, ...Object.entries(parameters).map(([name, value]) => `${name}="${value}"`)].join(" "),
    );
    return `WWW-Authenticate: ${challenges.join(", ")}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
