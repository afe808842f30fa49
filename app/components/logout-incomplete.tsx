import { NextStep } from "~/components/next-step";

export interface LogoutIncompleteView {
  reason: "idp_unreachable" | "local_only";
  realm: string;
  provider: string;
}

/** The app session ended, the provider's may not have. */
export function LogoutIncomplete({ reason, realm, provider }: LogoutIncompleteView) {
  return (
    <>
      <h1>You are logged out of this app</h1>
      {reason === "idp_unreachable" ? (
        <>
          <p>
            Your session in this app has ended; your session at {provider} may still be open. Retry to end it there too.
          </p>
          {/* A POST, like Log out: a logout at the provider is never started by a link. */}
          <form method="post" action={`/auth/${realm}/logout`} className="actions">
            <button type="submit" className="button">
              Retry
            </button>
            <a href="/">Back to home</a>
          </form>
        </>
      ) : (
        <>
          <p>
            Your identity provider, {provider}, does not offer single logout, so you may still be signed in there. Close
            the browser to end that session.
          </p>
          <NextStep href="/">Back to home</NextStep>
        </>
      )}
    </>
  );
}
