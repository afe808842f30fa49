import { data, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { auth } from "~/auth.server";
import { LogoutForm } from "~/components/logout-form";
import { describeRouteError } from "~/components/route-error";
import { useNonce } from "~/nonce";
import stylesHref from "~/styles.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesHref },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await auth.getUser(request);
  // The header offers Log in or Log out: whether the provider answers is learnt now, not after the click.
  auth.anticipateProviderVisit(user);
  // A session that ended (expired, revoked by a back-channel logout, forged) also leaves the browser.
  return data(
    { user: user && { username: user.username, provider: providerLabel(user) } },
    { headers: await auth.staleAuthSessionHeaders(request) },
  );
}

/** The label of the provider the user signed in with, for the header when there are several to tell apart. */
function providerLabel({ realm }: { realm: string }): string | null {
  if (auth.config.providers.length < 2) return null;
  return auth.getProvider(realm)?.label ?? realm;
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  // Set only while the ErrorBoundary renders, when the failed routes' `meta` is not rendered.
  const error = useRouteError();
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        {error == null ? null : <title>{describeRouteError(error).title}</title>}
        <Links />
      </head>
      <body>
        <header className="site-header">
          <div className="site-header-inner">
            <Link to="/" className="brand">
              <img src="/favicon.svg" alt="" />
              Remix + Keycloak
            </Link>
            <nav className="account-nav" aria-label="Account">
              {user ? (
                <>
                  <span className="signed-in">
                    Signed in as <strong data-testid="username">{user.username}</strong>
                    {user.provider ? <span className="realm"> ({user.provider})</span> : null}
                  </span>
                  <a href="/account">Account</a>
                  <LogoutForm />
                </>
              ) : (
                <a className="button" href="/login">
                  Log in
                </a>
              )}
            </nav>
          </div>
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

/** 404 and every unexpected error. Never a stack trace: the details are in the server log. */
export function ErrorBoundary() {
  const { status, title, message } = describeRouteError(useRouteError());
  const { pathname, search } = useLocation();
  return (
    <>
      <p className="status">Error {status}</p>
      <h1>{title}</h1>
      <p>{message}</p>
      <p className="actions">
        {/* Trying again changes nothing for a missing page or a missing role. */}
        {status === 404 || status === 403 ? (
          <a className="button" href="/">
            Back to home
          </a>
        ) : (
          <>
            <a className="button" href={pathname + search}>
              Try again
            </a>
            <a href="/">Back to home</a>
          </>
        )}
      </p>
    </>
  );
}
