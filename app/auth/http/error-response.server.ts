import { describeAuthError } from "../core/error-pages";
import { AuthError } from "../core/errors";
import { pageData, type Framework } from "./framework";

/**
 * The page data for an AuthError thrown from a loader or action: the root
 * ErrorBoundary shows its page (`describeRouteError`), with its status.
 * The error's headers (e.g. renewed session cookies) are sent along.
 */
export function authErrorPage(error: AuthError) {
  const { status, title, message } = describeAuthError(error.code, error.providerLabel);
  return pageData({ authError: { title, message } }, { status, headers: error.headers });
}

/**
 * `operation` as routes call it: an AuthError it throws becomes its error page (the framework's `data()`,
 * thrown), the one place where the layers' errors turn into HTTP. Anything else passes through.
 */
export function answeringAuthErrors<Args extends unknown[], Result>(
  framework: Framework,
  operation: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await operation(...args);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const { page, init } = authErrorPage(error);
      throw framework.data(page, init);
    }
  };
}
