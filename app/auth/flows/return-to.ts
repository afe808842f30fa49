const BASE = "http://app.invalid";
// Control characters are exactly what this must find: browsers strip some of them from URLs.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BACKSLASH = /[\\\u0000-\u001f\u007f]/;

/**
 * `value` when it is a same-origin path (`/account?tab=1`), otherwise `/`.
 * Refuses protocol-relative (`//evil`), backslash (`/\evil`), absolute and
 * control-character tricks, encoded or not, by checking what a browser would resolve.
 */
export function sanitizeReturnTo(value: string | null | undefined): string {
  if (!value || value.length > 2048 || !isPlainPath(value)) return "/";
  const url = new URL(value, BASE);
  if (url.origin !== BASE) return "/";
  const path = url.pathname + url.search + url.hash;
  // Dot segments are resolved only now ("/..//evil" becomes "//evil"): check the result too.
  return isPlainPath(path) ? path : "/";
}

/** Starts with one "/" and, decoded or not, holds no second leading "/", no "\" and no control character. */
function isPlainPath(value: string): boolean {
  // Browsers strip tabs/newlines and read "\" as "/" in URLs: refuse both outright.
  if (!value.startsWith("/") || CONTROL_OR_BACKSLASH.test(value)) return false;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return false;
  }
  return !decoded.startsWith("//") && !CONTROL_OR_BACKSLASH.test(decoded);
}
