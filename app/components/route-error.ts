import { isRouteErrorResponse } from "@remix-run/react";

export interface RouteErrorView {
  status: number;
  title: string;
  message: string;
}

/** What the root ErrorBoundary says about an error: never its message or stack, which stay in the server log. */
export function describeRouteError(error: unknown): RouteErrorView {
  if (isRouteErrorResponse(error) && error.status === 404) {
    return {
      status: 404,
      title: "Page not found",
      message: "There is nothing at this address. The link may be old or mistyped.",
    };
  }
  // An AuthError thrown by app/auth (authErrorResponse): its safe words, its status.
  const authError = isRouteErrorResponse(error)
    ? (error.data as { authError?: Omit<RouteErrorView, "status"> } | null)?.authError
    : undefined;
  if (isRouteErrorResponse(error) && authError)
    return { status: error.status, title: authError.title, message: authError.message };
  return {
    status: isRouteErrorResponse(error) ? error.status : 500,
    title: "Something went wrong",
    message: "The page could not be shown. Please try again in a moment.",
  };
}
