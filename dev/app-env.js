// The app's environment as the development tools read it: the embedded IdP
// and `npm run keycloak` register the app's URLs from the same variables the
// app reads (app/auth/core/config.server.ts), so an app started with that
// environment is the one they let in.

/**
 * A port number from the environment, or `fallback` when it is unset.
 * @param {Record<string, string | undefined>} env
 * @param {string} variable
 * @param {number} fallback
 * @returns {number}
 * @throws {Error} a one-line message naming the variable
 */
export function portFrom(env, variable, fallback) {
  const value = env[variable]?.trim() || String(fallback);
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    throw new Error(`${variable} must be a port number from 1 to 65535, got "${value}"`);
  return Number(value);
}

/**
 * The app's public origin as the app derives it: `APP_URL`, else
 * `http://localhost:${PORT}` (3000 when unset).
 * @param {Record<string, string | undefined>} env
 * @returns {string} e.g. "http://localhost:3000"
 * @throws {Error} a one-line message naming the variable
 */
export function appUrlFrom(env) {
  const appUrl = env.APP_URL?.trim();
  if (!appUrl) return `http://localhost:${portFrom(env, "PORT", 3000)}`;
  if (!URL.canParse(appUrl) || !/^https?:$/.test(new URL(appUrl).protocol))
    throw new Error(`APP_URL must be the app's origin, e.g. http://localhost:3000, got "${appUrl}"`);
  return new URL(appUrl).origin;
}

/**
 * A realm or provider name as the app spells it in variable names: upper-cased, other characters than
 * letters and digits as `_` (app/auth/core/env-reader.server.ts).
 * @param {string} name
 */
export function envName(name) {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/**
 * A comma-separated list of the environment, trimmed, without empty entries.
 * @param {string | undefined} value
 */
export function listed(value) {
  return (value ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}
