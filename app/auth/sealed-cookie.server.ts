import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";

const VERSION = "v1";
/** Browsers drop a cookie whose name and value exceed 4096 bytes; this leaves room for the name. */
export const CHUNK_SIZE = 3800;
/** Largest sealed value accepted from a request, so a flood of chunks cannot cost work. */
const MAX_SEALED_LENGTH = 16 * CHUNK_SIZE;

/**
 * Serializes `data` to a compact, tamper-proof, cookie-safe string:
 * `v1.<base64url(deflate(json))>.<base64url(hmac-sha256)>`. Signed, not
 * encrypted: the contents (an id_token the user may read anyway) are not secret.
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
