const BASE = "http://app.invalid";

/**
 * `value` when it is a same-origin path (`/account?tab=1`), otherwise `/`.
 * Refuses protocol-relative (`//evil`), backslash (`/\evil`), absolute and
 * control-character tricks, encoded or not, by checking what a browser would resolve.
 */
export function sanitizeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2048) return "/";
  // Browsers strip tabs/newlines and read "\" as "/" in URLs: refuse both outright.
  if (!value.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(value)) return "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return "/";
  }
  if (decoded.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(decoded)) return "/";
  const url = new URL(value, BASE);
  if (url.origin !== BASE) return "/";
  return url.pathname + url.search + url.hash;
}
