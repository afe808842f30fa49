import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { logout } from "~/auth/logout.server";
import { getUser } from "~/auth/session.server";
import { LogoutForm } from "~/components/logout-form";

export const meta: MetaFunction = () => [{ title: "Log out" }];

export async function action({ request }: ActionFunctionArgs) {
  const result = await logout(request);
  if (result instanceof Response) return result;
  const { reason, provider, headers } = result;
  return data({ reason, provider }, { status: reason === "idp_unreachable" ? 503 : 200, headers });
}

/** GET never logs out: it only offers the form. */
export function loader({ request }: LoaderFunctionArgs) {
  return { username: getUser(request)?.username ?? null };
}

export default function Logout() {
  const { username } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (actionData) {
    return (
      <>
        <h1>You are logged out of this app</h1>
        <p>
          {actionData.reason === "idp_unreachable"
            ? `Your identity provider, ${actionData.provider}, could not be reached, so your single sign-on session there may still be active. Close the browser, or log in and out again once it is back.`
            : `Your identity provider, ${actionData.provider}, does not offer single logout, so you may still be signed in there. Close the browser to end that session.`}
        </p>
        <p>
          <a href="/">Back to home</a>
        </p>
      </>
    );
  }
  if (!username) {
    return (
      <>
        <h1>You are logged out</h1>
        <p>
          <a href="/">Back to home</a>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>Log out</h1>
      <p>
        You are signed in as <strong>{username}</strong>. Logging out also ends your session at the identity
        provider.
      </p>
      <LogoutForm />
    </>
  );
}
