import {
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import { AuthError } from "../core/errors";

/** The claims of a validated ID token (oauth4webapi validates it at login). */
export interface IdTokenClaims extends JWTPayload {
  sub: string;
  sid?: string;
  nonce?: string;
  azp?: string;
  preferred_username?: string;
  name?: string;
  email?: string;
}

/** Keeps only asymmetric algorithms: `none` is never allowed, HS* would let a public key act as a secret. */
export function allowedAlgorithms(discovered: readonly string[] | undefined): string[] {
  const allowed = (discovered ?? []).filter((alg) => alg !== "none" && !alg.startsWith("HS"));
  return allowed.length > 0 ? allowed : ["RS256"];
}

/**
 * A remote JWKS that also survives key rotation: jose refetches on an unknown
 * `kid` only once its 30 s cooldown has passed, so a login right after the IdP
 * rotated its key would fail. Here an unknown `kid` forces one reload,
 * at most once per `minReloadIntervalMs`, so forged kids cannot flood the IdP.
 */
export function createRotatingKeySet(
  jwksUri: URL,
  { timeoutMs, minReloadIntervalMs = 5_000 }: { timeoutMs: number; minReloadIntervalMs?: number },
): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(jwksUri, { timeoutDuration: timeoutMs });
  let lastForcedReload = 0;
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const now = Date.now();
      if (!(error instanceof errors.JWKSNoMatchingKey) || now - lastForcedReload < minReloadIntervalMs) throw error;
      lastForcedReload = now;
      await remote.reload();
      return remote(header, token);
    }
  };
}

export interface AccessTokenExpectations {
  issuer: string;
  clientId: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
}

/**
 * Validates an access token that is a JWT, as Keycloak issues them, before
 * the app trusts its roles: signature against the provider's keys, `iss`,
 * `exp`, that it is an access token (`typ`), and that it was issued to this
 * client. Keycloak's `aud` names the APIs the token is for (`account`, clients
 * whose roles it carries) and its `azp` the client that asked for it, so `azp`
 * must be this client, or, without `azp`, `aud` must name it. Anything else is
 * an AuthError `forbidden`.
 */
export async function validateJwtAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  expected: AccessTokenExpectations,
): Promise<JWTPayload> {
  let payload: JWTPayload;
  let header: JWTHeaderParameters;
  try {
    ({ payload, protectedHeader: header } = await jwtVerify(token, keys, {
      issuer: expected.issuer,
      algorithms: allowedAlgorithms(expected.algorithms),
      clockTolerance: expected.clockToleranceSeconds,
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error);
    // The keys could not be fetched: the provider is unreachable, not the token bad.
    const unreachable =
      error instanceof errors.JWKSTimeout || (error instanceof Error && !(error instanceof errors.JOSEError));
    throw new AuthError(unreachable ? "idp_unreachable" : "forbidden", `access token: ${reason}`, { cause: error });
  }
  const kind = notAnAccessToken(header.typ, payload.typ);
  if (kind) throw new AuthError("forbidden", `access token: ${kind}`);
  const audiences = typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []);
  const issuedToUs =
    payload.azp !== undefined ? payload.azp === expected.clientId : audiences.includes(expected.clientId);
  if (!issuedToUs) throw new AuthError("forbidden", "access token: issued to another client (azp/aud)");
  return payload;
}

/**
 * Why a token signed by the provider is not an access token, or undefined. Keycloak signs ID tokens (and,
 * before 25, logout tokens) with the same key as access tokens, all typed `JWT` in the header, and tells its
 * tokens apart by the `typ` claim: `Bearer` for access tokens (`DPoP` when bound to a key), `ID`, `Refresh`, `Logout`. RFC 9068 access
 * tokens say `at+jwt` in the header, logout tokens `logout+jwt`. Other providers' may carry no `typ` at all.
 */
function notAnAccessToken(headerTyp: unknown, claimTyp: unknown): string | undefined {
  const mediaType = typeof headerTyp === "string" ? headerTyp.toLowerCase().replace(/^application\//, "") : headerTyp;
  if (mediaType !== undefined && mediaType !== "jwt" && mediaType !== "at+jwt")
    return `typed ${JSON.stringify(headerTyp)} in its header, not an access token`;
  if (claimTyp !== undefined && claimTyp !== "Bearer" && claimTyp !== "DPoP")
    return `typ ${JSON.stringify(claimTyp)}, not Bearer or DPoP`;
  return undefined;
}
