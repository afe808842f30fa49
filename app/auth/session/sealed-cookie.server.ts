import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CompactEncrypt, compactDecrypt } from "jose";
import { LRUCache } from "lru-cache";

const VERSION = "v1";
/** Browsers drop a cookie whose name and value exceed 4096 bytes; this leaves room for the name. */
export const CHUNK_SIZE = 3800;
/** Largest sealed value accepted from a request, so a flood of chunks cannot cost work. */
const MAX_SEALED_LENGTH = 16 * CHUNK_SIZE;

/**
 * Encrypts `data` to a cookie-safe compact JWE (`dir`, AES-256-GCM) with a
 * key derived from `secret`: nobody without the secret can read or alter it.
 * The JSON is deflated first (compressing after encryption gains nothing).
 */
export async function encrypt(data: unknown, secret: string): Promise<string> {
  const plaintext = deflateRawSync(JSON.stringify(data));
  return new CompactEncrypt(plaintext).setProtectedHeader(JWE_HEADER).encrypt(encryptionKey(secret));
}

/**
 * The data encrypted with any of `secrets` (the first encrypts, all decrypt:
 * rotation), or `null` for anything else (tampered, truncated, foreign, too long).
 */
export async function decrypt(
  value: string,
  secrets: readonly string[],
  maxLength = MAX_SEALED_LENGTH,
): Promise<unknown> {
  if (value.length > maxLength || value.split(".").length !== 5) return null;
  for (const secret of secrets) {
    let plaintext: Uint8Array;
    try {
      ({ plaintext } = await compactDecrypt(value, encryptionKey(secret), JWE_ALGORITHMS));
    } catch {
      continue;
    }
    try {
      return JSON.parse(inflateRawSync(plaintext, { maxOutputLength: MAX_INFLATED_LENGTH }).toString("utf8"));
    } catch {
      return null;
    }
  }
  return null;
}

const JWE_HEADER = { alg: "dir", enc: "A256GCM" } as const;
const JWE_ALGORITHMS = { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] };
/** What an encrypted value may inflate to: far above any session, far below harm. */
const MAX_INFLATED_LENGTH = 256 * 1024;
/** Derived once per secret; bounded, as the secrets of every instance in the process share it. */
const encryptionKeys = new LRUCache<string, Uint8Array>({ max: 64 });

/** A 256-bit key per secret (HKDF-SHA256), never the secret itself nor the key that `seal` signs with. */
function encryptionKey(secret: string): Uint8Array {
  let key = encryptionKeys.get(secret);
  if (!key) {
    key = new Uint8Array(hkdfSync("sha256", secret, "", "remix-keycloak-logout session A256GCM", 32));
    encryptionKeys.set(secret, key);
  }
  return key;
}

/**
 * Serializes `data` to a compact, tamper-proof, cookie-safe string:
 * `v1.<base64url(deflate(json))>.<base64url(hmac-sha256)>`. Signed, not
 * encrypted: for values that are not secret (the logout state); the session is `encrypt`ed.
 */
export function seal(data: unknown, secret: string): string {
  const payload = deflateRawSync(JSON.stringify(data)).toString("base64url");
  return `${VERSION}.${payload}.${sign(`${VERSION}.${payload}`, secret)}`;
}

/** The data sealed by any of `secrets`, or `null` for anything else (tampered, truncated, foreign). */
export function unseal(sealed: string, secrets: readonly string[]): unknown {
  if (sealed.length > MAX_SEALED_LENGTH) return null;
  const [version, payload, signature, ...rest] = sealed.split(".");
  if (version !== VERSION || !payload || !signature || rest.length > 0) return null;
  const given = Buffer.from(signature, "base64url");
  const valid = secrets.some((secret) => {
    const expected = Buffer.from(sign(`${version}.${payload}`, secret), "base64url");
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return null;
  try {
    return JSON.parse(inflateRawSync(Buffer.from(payload, "base64url")).toString("utf8"));
  } catch {
    return null;
  }
}

export function splitIntoChunks(value: string, size = CHUNK_SIZE): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < value.length; start += size) chunks.push(value.slice(start, start + size));
  return chunks;
}

function sign(value: string, secret: string): string {
  return createHmac("sha256", secret).update(value).digest("base64url");
}
