// The provider's signing keys, judged by the algorithms the app accepts.
import { createRemoteJWKSet, type JWK } from "jose";
import type { ProviderConfig } from "../../app/auth/core/config.server";
import { allowedAlgorithms } from "../../app/auth/protocol/jwt.server";
import type { ProviderMetadata } from "../../app/auth/protocol/oidc-protocol.server";
import { describe, variables, withoutCredentials, type CheckResult } from "./result";

/** Key types that can verify each algorithm family the app accepts; a key without `alg` serves any of its type. */
const KEY_TYPE: Record<string, string> = { RS: "RSA", PS: "RSA", ES: "EC", Ed: "OKP" };

/** ID tokens must be verifiable with a public key from the JWKS, in an algorithm the app accepts. */
export async function checkSigningKeys(
  provider: ProviderConfig,
  metadata: ProviderMetadata,
  timeoutMs: number,
): Promise<CheckResult> {
  const name = `${provider.name}: signing keys`;
  const fix =
    provider.kind === "keycloak"
      ? "give the realm an active RSA or EC signing key (Realm settings > Keys > Providers: rsa-generated) and sign ID tokens with it (client > Advanced > ID token signature algorithm: RS256)"
      : "the provider must publish an RSA, EC or EdDSA signing key and sign ID tokens with it";
  const advertised = metadata.id_token_signing_alg_values_supported;
  const accepted = allowedAlgorithms(advertised);
  if (advertised && !advertised.some((alg) => accepted.includes(alg))) {
    return {
      name,
      ok: false,
      detail: `ID tokens are only signed with ${advertised.join(", ") || "nothing"} (none or a shared secret)`,
      fix,
    };
  }
  const keySet = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: timeoutMs });
  try {
    await keySet.reload();
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `JWKS ${withoutCredentials(metadata.jwks_uri)} unreachable: ${describe(error, timeoutMs)}`,
      fix: `jwks_uri must be reachable from this host; if its host differs from ${variables(provider).url}, fix Keycloak's hostname setting (KC_HOSTNAME)`,
    };
  }
  const keys = keySet.jwks()?.keys ?? [];
  const algs = keys.map((key) => signingAlg(key, accepted)).filter((alg): alg is string => alg !== undefined);
  if (algs.length === 0)
    return { name, ok: false, detail: `the JWKS has no RSA, EC or EdDSA signing key (${keys.length} keys)`, fix };
  const idTokens = advertised ? `; ID tokens: ${accepted.join(", ")}` : "";
  return {
    name,
    ok: true,
    detail: `${algs.length} signing key${algs.length === 1 ? "" : "s"} (${[...new Set(algs)].join(", ")})${idTokens}`,
  };
}

/** The algorithm (or, without `alg`, the key type) a JWK verifies ID tokens with, when the app accepts it. */
function signingAlg(key: JWK, accepted: readonly string[]): string | undefined {
  if (key.use === "enc") return undefined;
  if (key.alg) return accepted.includes(key.alg) ? key.alg : undefined;
  const usable = accepted.some((alg) => KEY_TYPE[alg.slice(0, 2)] === key.kty);
  return usable ? ({ RSA: "RSA", EC: "EC", OKP: "EdDSA" } as Record<string, string>)[key.kty ?? ""] : undefined;
}
