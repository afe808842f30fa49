// RFC 9449 (DPoP): a key pair per session binds the session's tokens to it. The key is made at the login's
// callback and kept, encrypted, with the session's tokens; a proof signed with it goes with every token, refresh
// and userinfo request, and with every API call made with the access token, so a copied token alone is useless.
import { createHash, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { LRUCache } from "lru-cache";
import * as oauth from "oauth4webapi";
import { AuthError } from "../core/errors";

/** A session's DPoP key as stored: a private P-256 JWK (ES256, which DPoP servers all accept). */
export interface DpopKey {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  d: string;
}

/** What signs a session's proofs: oauth4webapi's handle (which also keeps the provider's `DPoP-Nonce`). */
export interface DpopSigner {
  handle: oauth.DPoPHandle;
  /** The `DPoP` header of a request to an API with `accessToken` (RFC 9449 7.1: `ath`, and the API's nonce). */
  proof(method: string, url: string | URL, accessToken: string, nonce?: string): Promise<string>;
}

const ES256 = { name: "ECDSA", namedCurve: "P-256" } as const;

export async function generateDpopKey(): Promise<DpopKey> {
  const { privateKey } = await crypto.subtle.generateKey(ES256, true, ["sign", "verify"]);
  const { kty, crv, x, y, d } = await crypto.subtle.exportKey("jwk", privateKey);
  return { kty, crv, x, y, d } as DpopKey;
}

export function isDpopKey(value: unknown): value is DpopKey {
  if (typeof value !== "object" || value === null) return false;
  const { kty, crv, x, y, d } = value as Partial<DpopKey>;
  return kty === "EC" && crv === "P-256" && [x, y, d].every((part) => typeof part === "string");
}

/** Signers by key: a session's key is imported once per instance, and the provider's nonce is remembered. */
export class DpopSigners {
  readonly #signers = new LRUCache<string, Promise<DpopSigner>>({ max: 1000 });
  readonly #client: oauth.Client;

  constructor(client: oauth.Client) {
    this.#client = client;
  }

  get(key: DpopKey): Promise<DpopSigner> {
    const id = `${key.x}.${key.y}`;
    let signer = this.#signers.get(id);
    if (!signer) {
      signer = createSigner(this.#client, key);
      this.#signers.set(id, signer);
    }
    return signer;
  }
}

async function createSigner(client: oauth.Client, key: DpopKey): Promise<DpopSigner> {
  const { kty, crv, x, y } = key;
  const publicJwk = { kty, crv, x, y };
  const privateKey = await crypto.subtle.importKey("jwk", key, ES256, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("jwk", publicJwk, ES256, true, ["verify"]);
  const header = { alg: "ES256", typ: "dpop+jwt", jwk: publicJwk };
  return {
    handle: oauth.DPoP(client, { privateKey, publicKey }),
    proof(method, url, accessToken, nonce) {
      const { origin, pathname } = new URL(url);
      const ath = createHash("sha256").update(accessToken).digest("base64url");
      const claims = { htm: method.toUpperCase(), htu: `${origin}${pathname}`, ath, ...(nonce && { nonce }) };
      return new SignJWT(claims).setProtectedHeader(header).setIssuedAt().setJti(randomUUID()).sign(privateKey);
    },
  };
}

/**
 * Sends a request to the provider, and once more when it answers that the proof needs its nonce (RFC 9449 8:
 * 400 `use_dpop_nonce` from the token endpoint, a 401 challenge from userinfo); the handle has kept the nonce.
 */
export async function withDpopNonce(
  dpop: oauth.DPoPHandle | undefined,
  request: () => Promise<Response>,
): Promise<Response> {
  const response = await request();
  return dpop && (await askedForNonce(response)) ? request() : response;
}

async function askedForNonce(response: Response): Promise<boolean> {
  if (response.status === 401) return /error="?use_dpop_nonce/.test(response.headers.get("www-authenticate") ?? "");
  if (response.status !== 400) return false;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  return (body as { error?: unknown } | null)?.error === "use_dpop_nonce";
}

/** A provider asked for DPoP-bound tokens that answers with bearer ones ignored the proof: refused, not used. */
export function requireBoundTokens(dpop: oauth.DPoPHandle | undefined, tokens: oauth.TokenEndpointResponse) {
  if (dpop && tokens.token_type !== "dpop")
    throw new AuthError(
      "token_exchange_failed",
      `asked for DPoP-bound tokens, the provider issued ${tokens.token_type} tokens (does it support DPoP?)`,
    );
}
