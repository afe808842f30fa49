import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey } from "jose";

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
