import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { logout, logoutPage } from "~/auth/logout.server";
import { EndSessionForm } from "~/components/end-session-form";
import { LogoutForm } from "~/components/logout-form";
import { LogoutIncomplete } from "~/components/logout-incomplete";

export const meta: MetaFunction = () => [{ title: "Log out" }];

export const action = ({ request }: ActionFunctionArgs) => logout(request);

/** GET never logs out: it offers the form, or says what an incomplete logout left. */
export const loader = ({ request }: LoaderFunctionArgs) => logoutPage(request);

export default function Logout() {
  const { ended, username } = useLoaderData<typeof loader>();
  const submitted = useActionData<typeof action>();
  if (submitted?.endSession) return <EndSessionForm {...submitted.endSession} />;
  if (ended) return <LogoutIncomplete {...ended} />;
  if (!username) {
    return (
      <>
        <h1>You are logged out</h1>
        <p>No one is signed in to this app in this browser.</p>
        <p className="actions">
          <a className="button" href="/">
            Back to home
          </a>
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
      <div className="actions">
        <LogoutForm />
        <a href="/">Stay signed in</a>
      </div>
    </>
  );
}
