// The calls to the provider's token and revocation endpoints, as OIDCStrategy
// makes them through oauth4webapi: the code grant, the refresh grant (with the
// checks OpenID Connect Core 12.2 asks of its ID token) and RFC 7009 revocation.
import * as oauth from "oauth4webapi";
import { AuthError } from "../core/errors";
import { requireBoundTokens, withDpopNonce } from "./dpop.server";
import type { IdTokenClaims } from "./jwt.server";
import {
  checkedClaims,
  deriveNonce,
  describe,
  protocolStep,
  type Http,
  type ProviderMetadata,
} from "./oidc-protocol.server";

/**
 * OpenID Connect Core 3.1.3: the authorization code redeemed with the PKCE
 * verifier; the ID token must carry the nonce derived from that verifier, and
 * its signature is checked. With a DPoP handle in `http`, the tokens must come back bound to its key. Every failure is an AuthError (`invalid_id_token`
 * unless a more precise one applies).
 */
export async function redeemCode(
  as: ProviderMetadata,
  client: oauth.Client,
  auth: oauth.ClientAuth,
  http: Http,
  grant: { params: URLSearchParams; redirectURI: string; codeVerifier: string },
  validateSignature: (response: Response) => Promise<void>,
): Promise<oauth.TokenEndpointResponse> {
  return protocolStep("invalid_id_token", "token request", async () => {
    const { params, redirectURI, codeVerifier } = grant;
    const response = await withDpopNonce(http.DPoP, () =>
      oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectURI, codeVerifier, http),
    );
    const expected = { expectedNonce: deriveNonce(codeVerifier), requireIdToken: true };
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, expected);
    requireBoundTokens(http.DPoP, result);
    await validateSignature(response);
    return result;
  });
}

/** RFC 7009: asks the provider to revoke a token; an AuthError when it has no revocation endpoint or refuses. */
export async function revokeToken(
  as: ProviderMetadata,
  client: oauth.Client,
  auth: oauth.ClientAuth,
  http: Http,
  token: string,
): Promise<void> {
  if (!as.revocation_endpoint) throw new AuthError("token_exchange_failed", "the provider has no revocation endpoint");
  await protocolStep("token_exchange_failed", "revocation", async () =>
    oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, token, http)),
  );
}

/**
 * RFC 7662: what the provider says of `token`, for the claims a lightweight access token leaves out. An
 * AuthError `forbidden` when it has no introspection endpoint or refuses the call.
 */
export async function introspectToken(
  as: ProviderMetadata,
  client: oauth.Client,
  auth: oauth.ClientAuth,
  http: Http,
  token: string,
): Promise<oauth.IntrospectionResponse> {
  if (!as.introspection_endpoint) throw new AuthError("forbidden", "the provider has no introspection endpoint");
  return protocolStep("forbidden", "introspection", async () =>
    oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, token, http)),
  );
}

/** What a refresh's ID token is checked against: the login's ID token, and how to check a signature. */
/** The claims of the login's ID token that a refresh's ID token must keep. */
export type RefreshLogin = Pick<IdTokenClaims, "sub" | "aud" | "azp" | "auth_time">;

export interface RefreshIdTokenCheck {
  /** Without it, the new ID token is checked as a login's, but not held to the login. */
  login?: RefreshLogin;
  clientId: string;
  clockTolerance: number;
  validateSignature: (response: Response) => Promise<void>;
}

/**
 * RFC 6749 6: new tokens for a refresh token. A refused refresh token
 * (`invalid_grant`: the provider's session ended, or the token was used
 * already) is an AuthError `session_ended`; so is an answer the app refuses
 * (its ID token about another login, for one), since the provider took the
 * refresh token for it: the session can no longer be renewed.
 */
export async function refreshTokens(
  as: ProviderMetadata,
  client: oauth.Client,
  auth: oauth.ClientAuth,
  http: Http,
  refreshToken: string,
  check: RefreshIdTokenCheck,
): Promise<oauth.TokenEndpointResponse> {
  return protocolStep("token_exchange_failed", "refresh", async () => {
    const response = await withDpopNonce(http.DPoP, () =>
      oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, http),
    );
    try {
      const tokens = await oauth.processRefreshTokenResponse(as, client, response);
      requireBoundTokens(http.DPoP, tokens);
      if (tokens.id_token) await checkRefreshedIdToken(tokens, response, check);
      return tokens;
    } catch (error) {
      const refused = error instanceof oauth.ResponseBodyError && error.error === "invalid_grant";
      // Only a 200 spent the refresh token. Another status (an HTML error page, say) fails as before,
      // and keys that could not be fetched mean an unreachable provider (503, the session kept).
      const spent = response.status === 200 && !(error instanceof AuthError && error.code === "idp_unreachable");
      if (!refused && !spent) throw error;
      const why = error instanceof AuthError ? error.detail : describe(error);
      throw new AuthError("session_ended", `refresh: ${why}`, { cause: error });
    }
  });
}

/**
 * OpenID Connect Core 12.2: a refresh's ID token is about the login it renews.
 * oauth4webapi checked `iss` (the provider's), `aud` (naming this client) and
 * the times; here what it leaves to the app: the same `sub`, `aud` and
 * `azp` as the login's, an `auth_time` not before the login's, the app's own checks of a login's ID token, and the signature.
 */
async function checkRefreshedIdToken(
  tokens: oauth.TokenEndpointResponse,
  response: Response,
  { login, clientId, clockTolerance, validateSignature }: RefreshIdTokenCheck,
): Promise<void> {
  const claims = checkedClaims(tokens, clientId, clockTolerance);
  if (login) holdToLogin(claims, login);
  await validateSignature(response);
}

/** OpenID Connect Core 12.2's comparison of a refresh's ID token with the login's. */
function holdToLogin(claims: IdTokenClaims, login: RefreshLogin): void {
  if (claims.sub !== login.sub) throw new AuthError("invalid_id_token", "the new ID token's sub is not the login's");
  if (!sameAudience(claims.aud, login.aud))
    throw new AuthError("invalid_id_token", "the new ID token's aud is not the login's");
  if (claims.azp !== login.azp) throw new AuthError("invalid_id_token", "the new ID token's azp is not the login's");
  // "If the ID Token contains an auth_time": without one at login, there is no time to compare with. A later one
  // is the user signing in again within the same provider session (a provider may report the latest); only an
  // earlier one cannot belong to this login.
  if (typeof claims.auth_time === "number" && typeof login.auth_time === "number" && claims.auth_time < login.auth_time)
    throw new AuthError("invalid_id_token", "the new ID token's auth_time is before the login's");
}

function sameAudience(a: IdTokenClaims["aud"], b: IdTokenClaims["aud"]): boolean {
  const sorted = (aud: IdTokenClaims["aud"]) => [aud ?? []].flat().sort().join(" ");
  return sorted(a) === sorted(b);
}
