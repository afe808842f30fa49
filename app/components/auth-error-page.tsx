import { NextStep } from "~/components/next-step";

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
  const { title, message } = error;
  return (
    <>
      <p className="status">Sign-in problem</p>
      <h1>{title}</h1>
      <p>{message}</p>
      <NextStep href={error.retryUrl} home>
        {error.retryLabel ?? "Try again"}
      </NextStep>
    </>
  );
}
