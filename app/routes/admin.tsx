import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";

export const meta: MetaFunction = () => [{ title: "Administration" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { roles, headers } = await auth.requireRole(request, "admin");
  return data({ canEdit: roles.includes("app:editor") }, { headers });
}

export default function Admin() {
  const { canEdit } = useLoaderData<typeof loader>();
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
      <p className="actions">
        <a href="/account">Back to your account</a>
      </p>
    </>
  );
}
