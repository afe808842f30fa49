import type { MetaFunction } from "@remix-run/node";
import { useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";

export const meta: MetaFunction = () => [{ title: "Remix + Keycloak" }];

export default function Home() {
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  return (
    <>
      <h1>Keycloak login and logout in Remix</h1>
      <p>
        This app signs you in with OpenID Connect and, when you log out, ends your Keycloak session too, so the
        next login asks for your password again.
      </p>
      {user ? (
        <p>
          You are signed in as <strong>{user.username}</strong>. See your <a href="/account">account</a>.
        </p>
      ) : (
        <p>
          <a className="button" href="/login">
            Log in
          </a>
        </p>
      )}
    </>
  );
}
