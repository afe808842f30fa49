import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { AuthError } from "./errors";

export interface IdTokenClaims extends JWTPayload {
  sub: string;
  sid?: string;
  nonce?: string;
  azp?: string;
  preferred_username?: string;
  name?: string;
  email?: string;
}

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** The nonce sent in this browser's authorization request. */
  nonce: string;
  /** Allowed signature algorithms; `none` and HS* are always refused. */
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  /** For tests: the time to check `exp` and `iat` against. */
  currentDate?: Date;
}

/** Keeps only asymmetric algorithms: `none` is never allowed, HS* would let a public key act as a secret. */
export function allowedAlgorithms(discovered: readonly string[] | undefined): string[] {
  const allowed = (discovered ?? []).filter((alg) => alg !== "none" && !alg.startsWith("HS"));
  return allowed.length > 0 ? allowed : ["RS256"];
}

/**
 * Validates an ID token per OpenID Connect Core 3.1.3.7: signature, alg,
 * iss, aud, azp, exp/iat (with a small tolerance) and nonce.
 */
export async function validateIdToken(
  idToken: string,
  keys: JWTVerifyGetKey,
  expected: IdTokenExpectations,
): Promise<IdTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: allowedAlgorithms(expected.algorithms),
      clockTolerance: expected.clockToleranceSeconds,
      requiredClaims: ["sub", "iat", "exp"],
      currentDate: expected.currentDate,
    }));
  } catch (error) {
    if (isUnreachable(error)) throw new AuthError("idp_unreachable", "JWKS could not be fetched", { cause: error });
    const reason = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error);
    // A token fresh from the token endpoint that is already expired (or not yet valid) means the clocks differ.
    const clock = error instanceof errors.JWTExpired || (error instanceof errors.JWTClaimValidationFailed && error.claim === "nbf");
    throw new AuthError(clock ? "clock_skew" : "invalid_id_token", reason, { cause: error });
  }
  const now = (expected.currentDate ?? new Date()).getTime() / 1000;
  if (typeof payload.iat === "number" && payload.iat > now + expected.clockToleranceSeconds) {
    throw new AuthError("clock_skew", `iat is ${Math.round(payload.iat - now)} s in the future`);
  }

  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (audiences.length > 1 && payload.azp === undefined) {
    throw new AuthError("invalid_id_token", "azp is required when the token has several audiences");
  }
  if (payload.azp !== undefined && payload.azp !== expected.clientId) {
    throw new AuthError("invalid_id_token", "azp is not this client");
  }
  if (payload.nonce !== expected.nonce) {
    throw new AuthError("invalid_id_token", "nonce does not match this browser's login");
  }
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw new AuthError("invalid_id_token", "sub is missing");
  }
  return payload as IdTokenClaims;
}

/** The JWKS fetch failed (network error, timeout, non-200): the IdP's fault, not the token's. */
function isUnreachable(error: unknown): boolean {
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof TypeError ||
    (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC")
  );
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
