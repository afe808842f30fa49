import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";
import { NextStep } from "~/components/next-step";

const TITLES = {
  ended: "You are logged out",
  signed_out: "You are signed out",
  invalid: "This logout link is not valid",
} as const;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: TITLES[data?.outcome ?? "invalid"] }];

/** Where the identity provider sends the browser back after ending its session. */
export const loader = ({ request }: LoaderFunctionArgs) => auth.completeLogout(request);

/** Clear-Site-Data from the loader reaches the page. */
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export default function LoggedOut() {
  const { outcome } = useLoaderData<typeof loader>();
  if (outcome === "invalid") {
    return (
      <>
        <h1>{TITLES.invalid}</h1>
        <p>It has expired, was used already, or was not started by a logout in this browser, so nothing was changed.</p>
        <NextStep href="/">Back to home</NextStep>
      </>
    );
  }
  if (outcome === "signed_out") {
    return (
      <>
        <h1>{TITLES.signed_out}</h1>
        <p>This logout has already been completed, or its link has expired. Nothing else needed to change.</p>
        <NextStep href="/login" home>
          Log in again
        </NextStep>
      </>
    );
  }
  return (
    <>
      <h1>{TITLES.ended}</h1>
      <p>Your session in this app and at your identity provider has ended.</p>
      <NextStep href="/login" home>
        Log in again
      </NextStep>
    </>
  );
}
