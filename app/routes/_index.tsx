import type { MetaFunction } from "@remix-run/node";
import { useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";
import { NextStep } from "~/components/next-step";

export const meta: MetaFunction = () => [{ title: "Remix + Keycloak" }];

export default function Home() {
  const user = useRouteLoaderData<typeof rootLoader>("root")?.user;
  return (
    <>
      <h1>Keycloak login and logout in Remix</h1>
      <p className="lede">
        This app signs you in with OpenID Connect and, when you log out, ends your Keycloak session too, so the next
        login asks for your password again.
      </p>
      {user ? (
        <>
          <p>
            You are signed in as <strong>{user.username}</strong>.
          </p>
          <NextStep href="/account">See your account</NextStep>
        </>
      ) : (
        <NextStep href="/login">Log in</NextStep>
      )}
      <h2>What it shows</h2>
      <ul className="features">
        <li>
          <strong>Login done right:</strong> the authorization code flow with PKCE, state and nonce, and a verified ID
          token.
        </li>
        <li>
          <strong>Logout that holds:</strong> the app session ends, then Keycloak's too; a logout done elsewhere reaches
          this app through back-channel logout.
        </li>
        <li>
          <strong>Several realms:</strong> Keycloak realms and other OpenID providers side by side.
        </li>
        <li>
          <strong>No JavaScript needed:</strong> every page is rendered on the server; logging out is a plain form.
        </li>
      </ul>
    </>
  );
}
