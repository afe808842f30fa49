import { useSearchParams } from "@remix-run/react";
import { describeProviderError } from "~/auth/core/errors";
import { NextStep } from "~/components/next-step";

export interface AuthErrorView {
  title: string;
  message: string;
  retryUrl: string;
  retryLabel?: string;
}

/**
 * The words for the page: when the provider sent the browser back with an
 * `error` (the user cancelled, the provider was busy), that is the real cause,
 * whatever check then stopped the callback.
 */
function wordsFor(error: AuthErrorView, search: URLSearchParams) {
  return describeProviderError(search.get("error")) ?? error;
}

/** The `meta` of the routes that render an `AuthErrorPage`: the error's title is the page's. */
export const authErrorMeta = ({
  data,
  location,
}: {
  data?: { error?: AuthErrorView };
  location: { search: string };
}) => [{ title: data?.error ? wordsFor(data.error, new URLSearchParams(location.search)).title : "Sign-in problem" }];

export function AuthErrorPage({ error }: { error: AuthErrorView }) {
  const [search] = useSearchParams();
  const { title, message } = wordsFor(error, search);
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
