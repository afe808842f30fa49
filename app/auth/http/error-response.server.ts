import { data } from "@remix-run/node";
import { describeAuthError } from "../core/error-pages";
import type { AuthError } from "../core/errors";

/**
 * A Response for an AuthError thrown from a loader or action: the root
 * ErrorBoundary shows its page (`describeRouteError`), with its status.
 * `headers` (e.g. refreshed session cookies) are sent along.
 */
export function authErrorResponse(error: AuthError, headers?: HeadersInit) {
  const { status, title, message } = describeAuthError(error.code);
  return data({ authError: { title, message } }, { status, headers });
}
