import { createPrivateKey, createPublicKey } from "node:crypto";
import { importJWK, type JWK } from "jose";
import type { PrivateKey } from "oauth4webapi";
import type { ClientPrivateKey, ProviderConfig } from "../core/config.server";

/**
 * The public halves of the clients' private keys (`*_CLIENT_PRIVATE_KEY`):
 * what `/auth/jwks.json` serves, so a provider (Keycloak's "JWKS URL") can
 * check the app's `private_key_jwt` assertions.
 */
export function publicJwks(providers: readonly ProviderConfig[]): { keys: JWK[] } {
  const keys = new Map<string, JWK>();
  for (const { clientPrivateKey: key } of providers) {
    if (!key || keys.has(key.kid)) continue;
    const publicKey = createPublicKey(createPrivateKey({ key: key.jwk, format: "jwk" })).export({ format: "jwk" });
    keys.set(key.kid, { ...(publicKey as JWK), kid: key.kid, alg: key.alg, use: "sig" });
  }
  return { keys: [...keys.values()] };
}

/** The key as oauth4webapi signs client assertions with it. */
export async function importClientKey(key: ClientPrivateKey): Promise<PrivateKey> {
  return { key: (await importJWK(key.jwk as JWK, key.alg)) as CryptoKey, kid: key.kid };
}
