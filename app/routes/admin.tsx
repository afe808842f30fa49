import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getIdTokenClaims } from "~/auth/index.server";
import { auth } from "~/auth.server";

export const meta: MetaFunction = () => [{ title: "Administration" }];

export async function loader({ request }: LoaderFunctionArgs) {
  // First: a redirect from here drops nothing, where one after a token renewal would drop the renewed cookies.
  const session = await auth.requireRecentLogin(request);
  const { roles, headers } = await auth.requireRole(request, "admin");
  const signedInAt = Number(getIdTokenClaims(session).auth_time);
  return data({ canEdit: roles.includes("app:editor"), signedInAt, maxAge: auth.config.stepUpMaxAge }, { headers });
}

export default function Admin() {
  const { canEdit, signedInAt, maxAge } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Administration</h1>
      <p>
        You can see this page because your access token carries the realm role <code>admin</code> of the app's default
        realm: <code>auth.requireRole(request, "admin")</code> let you in.
      </p>
      <p data-testid="editor">
        {canEdit ? (
          <>
            You also have this app's client role <code>editor</code> (<code>app:editor</code>).
          </>
        ) : (
          <>
            You do not have this app's client role <code>editor</code> (<code>app:editor</code>).
          </>
        )}
      </p>
      <p data-testid="recent-login">
        This page also asks for a recent sign-in: you signed in at{" "}
        <time dateTime={new Date(signedInAt * 1000).toISOString()}>
          {new Date(signedInAt * 1000).toISOString().slice(11, 19)} UTC
        </time>
        , within the last {Math.round(maxAge / 60) >= 1 ? `${Math.round(maxAge / 60)} minutes` : `${maxAge} seconds`} (
        <code>auth.requireRecentLogin(request)</code>). After that, your identity provider asks for your password again.
      </p>
      <p className="actions">
        <a href="/account">Back to your account</a>
      </p>
    </>
  );
}
