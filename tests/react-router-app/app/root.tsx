import type { ReactNode } from "react";
import {
  data,
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  useRouteError,
  useRouteLoaderData,
  type LoaderFunctionArgs,
} from "react-router";
import { auth } from "./auth.server";

// The session's cookies go out with every page: deleted when stale, renewed when its check with the provider renewed them.
export const loader = async ({ request }: LoaderFunctionArgs) =>
  data({ user: await auth.getUser(request) }, { headers: await auth.staleAuthSessionHeaders(request) });

export function Layout({ children }: { children: ReactNode }) {
  const user = useRouteLoaderData<typeof loader>("root")?.user;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        {/* No icon: the browser would ask for /favicon.ico. */}
        <link rel="icon" href="data:," />
        <Meta />
        <Links />
      </head>
      <body>
        <header>
          {user ? (
            <>
              Signed in as <strong data-testid="username">{user.username}</strong> <a href="/account">Account</a>
              <form method="post" action="/logout">
                <button>Log out</button>
              </form>
            </>
          ) : (
            <a href="/login">Log in</a>
          )}
        </header>
        <main>{children}</main>
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

/** An AuthError's page (thrown as `data({ authError })`), or the status of anything else. */
export function ErrorBoundary() {
  const error = useRouteError();
  const page = isRouteErrorResponse(error) ? (error.data?.authError ?? { title: error.statusText }) : null;
  return <h1>{page?.title ?? "Something went wrong"}</h1>;
}
