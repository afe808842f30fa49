import { data } from "@remix-run/node";
import { describeAuthError } from "../core/error-pages";
import { AuthError } from "../core/errors";

/**
 * A Response for an AuthError thrown from a loader or action: the root
 * ErrorBoundary shows its page (`describeRouteError`), with its status.
 * The error's headers (e.g. renewed session cookies) are sent along.
 */
export function authErrorResponse(error: AuthError) {
  const { status, title, message } = describeAuthError(error.code, error.provider);
  return data({ authError: { title, message } }, { status, headers: error.headers });
}

/**
 * `operation` as routes call it: an AuthError it throws becomes its error page (a thrown Response), the one
 * place where the layers' errors turn into HTTP. Anything else passes through.
 */
export function answeringAuthErrors<Args extends unknown[], Result>(
  operation: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await operation(...args);
    } catch (error) {
      throw error instanceof AuthError ? authErrorResponse(error) : error;
    }
  };
}
