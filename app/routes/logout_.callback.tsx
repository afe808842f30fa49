import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { completeLogout } from "~/auth/index.server";
import { NextStep } from "~/components/next-step";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.ended ? "You are logged out" : "This logout link is not valid" },
];

/** Where the identity provider sends the browser back after ending its session. */
export const loader = ({ request }: LoaderFunctionArgs) => completeLogout(request);

/** Clear-Site-Data from the loader reaches the page. */
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export default function LoggedOut() {
  const { ended } = useLoaderData<typeof loader>();
  if (!ended) {
    return (
      <>
        <h1>This logout link is not valid</h1>
        <p>It has expired, was used already, or was not started by a logout in this browser, so nothing was changed.</p>
        <NextStep href="/">Back to home</NextStep>
      </>
    );
  }
  return (
    <>
      <h1>You are logged out</h1>
      <p>Your session in this app and at your identity provider has ended.</p>
      <NextStep href="/login" home>
        Log in again
      </NextStep>
    </>
  );
}
