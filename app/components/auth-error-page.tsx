export interface AuthErrorView {
  title: string;
  message: string;
  retryUrl: string;
}

export function AuthErrorPage({ error }: { error: AuthErrorView }) {
  return (
    <>
      <h1>{error.title}</h1>
      <p>{error.message}</p>
      <p>
        <a className="button" href={error.retryUrl}>
          Try again
        </a>{" "}
        <a href="/">Back to home</a>
      </p>
    </>
  );
}
