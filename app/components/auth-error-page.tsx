import { NextStep } from "~/components/next-step";

export interface AuthErrorView {
  title: string;
  message: string;
  retryUrl: string;
  retryLabel?: string;
  /** For a problem of the set-up: the request id the log line carries, for the user to report. */
  reportId?: string;
  /** The provider signed the user in before the failure: where to end that session. */
  signOutAt?: { action: string; label: string };
}

/** The `meta` of the routes that render an `AuthErrorPage`: the error's title is the page's. */
export const authErrorMeta = ({ data }: { data?: { error?: AuthErrorView } }) => [
  { title: data?.error?.title ?? "Sign-in problem" },
];

export function AuthErrorPage({ error }: { error: AuthErrorView }) {
  const { title, message, retryUrl, retryLabel, reportId, signOutAt } = error;
  return (
    <>
      <p className="status">Sign-in problem</p>
      <h1>{title}</h1>
      <p>{message}</p>
      {reportId && (
        <p>
          If you report this, mention the request id <code data-testid="report-id">{reportId}</code>.
        </p>
      )}
      {signOutAt && (
        <form method="post" action={signOutAt.action}>
          <p>You may still be signed in at {signOutAt.label}; on a shared computer, sign out there.</p>
          <p className="actions">
            <button type="submit" className="button button-secondary">
              Sign out of {signOutAt.label}
            </button>
          </p>
        </form>
      )}
      <NextStep href={retryUrl} home={retryUrl !== "/"}>
        {retryLabel ?? "Try again"}
      </NextStep>
    </>
  );
}
