export interface AuthErrorView {
  title: string;
  message: string;
  retryUrl: string;
  retryLabel?: string;
}

/** The `meta` of the routes that render an `AuthErrorPage`: the error's title is the page's. */
export const authErrorMeta = ({ data }: { data?: { error?: AuthErrorView } }) => [
  { title: data?.error?.title ?? "Sign-in problem" },
];

export function AuthErrorPage({ error }: { error: AuthErrorView }) {
  return (
    <>
      <p className="status">Sign-in problem</p>
      <h1>{error.title}</h1>
      <p>{error.message}</p>
      <p className="actions">
        <a className="button" href={error.retryUrl}>
          {error.retryLabel ?? "Try again"}
        </a>
        <a href="/">Back to home</a>
      </p>
    </>
  );
}
