import { randomBytes } from "node:crypto";

export function createNonce(): string {
  return randomBytes(16).toString("base64");
}

/**
 * Headers for every HTML page. The CSP allows only the app's own files and
 * scripts carrying this response's nonce; forms may go to the app and to the
 * identity providers (a logout POST ends in a redirect to the provider, which
 * `form-action` also governs).
 */
export function pageSecurityHeaders({
  nonce,
  formTargets,
  path,
}: {
  nonce: string;
  formTargets: readonly string[];
  path: string;
}) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self' ${formTargets.join(" ")}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    // Codes travel in auth URLs: those pages send no referrer at all. Elsewhere
    // only same-origin, as "no-referrer" would also make form posts say `Origin: null`.
    "Referrer-Policy": path.startsWith("/auth/") ? "no-referrer" : "same-origin",
    // Every page shows who is signed in.
    "Cache-Control": "no-store",
  };
}
