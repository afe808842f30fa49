import { randomBytes } from "node:crypto";
import { LOGOUT_CALLBACK_PATH } from "../core/app-urls.server";
import { parseCookieHeader, serializeCookie, stateCookie } from "../http/cookies.server";
import type { SessionContext } from "../session/context.server";
import { seal, unseal } from "../session/sealed-cookie.server";

const COOKIE = "oidc-logout-state";
const LIFETIME_SECONDS = 10 * 60;

/**
 * A fresh logout `state` and the signed, short-lived cookie that binds it to
 * this browser. The provider echoes it back to the logout callback.
 */
export function createLogoutState({ config }: SessionContext): { state: string; cookie: string } {
  const state = randomBytes(24).toString("base64url");
  const sealed = seal({ state, exp: Math.floor(Date.now() / 1000) + LIFETIME_SECONDS }, config.sessionSecrets[0]!);
  return { state, cookie: logoutStateCookie(config.secureCookies, sealed, LIFETIME_SECONDS) };
}

export type LogoutStateCheck = "valid" | "missing" | "mismatch" | "replayed";

/**
 * Checks the `state` the provider sent back against this browser's cookie,
 * once: a state is accepted a single time, whatever browser replays it.
 * Returns the verdict and the header that deletes the cookie.
 */
export async function verifyLogoutState(
  { config, revocations }: SessionContext,
  request: Request,
): Promise<{ result: LogoutStateCheck; clearCookie: string }> {
  const clearCookie = logoutStateCookie(config.secureCookies, "", 0);
  const returned = new URL(request.url).searchParams.get("state");
  const sealed = parseCookieHeader(request.headers.get("Cookie"))[logoutCookie(config.secureCookies).name];
  const expected = sealed ? (unseal(sealed, config.sessionSecrets) as { state?: unknown; exp?: unknown } | null) : null;
  if (!returned || !expected) return { result: "missing", clearCookie };
  if (expected.state !== returned || typeof expected.exp !== "number" || expected.exp < Date.now() / 1000) {
    return { result: "mismatch", clearCookie };
  }
  const firstUse = await revocations.useOnce(`logout-state#${returned}`, LIFETIME_SECONDS);
  return { result: firstUse ? "valid" : "replayed", clearCookie };
}

/** Over https `__Host-oidc-logout-state`, for the whole site: the only name read then. */
const logoutCookie = (secure: boolean) => stateCookie(COOKIE, { path: LOGOUT_CALLBACK_PATH, secure });

function logoutStateCookie(secure: boolean, value: string, maxAge: number): string {
  const { name, attributes } = logoutCookie(secure);
  return serializeCookie(name, value, { ...attributes, maxAge });
}
