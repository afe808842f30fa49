import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { getUser } from "~/auth/session.server";
import { LogoutForm } from "~/components/logout-form";
import { useNonce } from "~/nonce";
import stylesHref from "~/styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  return { user: user && { username: user.username, realm: user.realm } };
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <header>
          <Link to="/" className="brand">
            Remix + Keycloak
          </Link>
          <nav className="who" aria-label="Account">
            {user ? (
              <>
                <span>
                  Signed in as <strong data-testid="username">{user.username}</strong>{" "}
                  <span className="muted">({user.realm})</span>
                </span>
                <Link to="/account">Account</Link>
                <LogoutForm />
              </>
            ) : (
              <a href="/login">Log in</a>
            )}
          </nav>
        </header>
        <main>{children}</main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <>
        <h1>Page not found</h1>
        <p>There is nothing at this address.</p>
        <p>
          <Link to="/">Back to home</Link>
        </p>
      </>
    );
  }
  // Never a stack trace: the details are in the server log.
  return (
    <>
      <h1>Something went wrong</h1>
      <p>The page could not be shown. Please try again.</p>
      <p>
        <Link to="/">Back to home</Link>
      </p>
    </>
  );
}
