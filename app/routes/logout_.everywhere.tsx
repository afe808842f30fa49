import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";
import { NextStep } from "~/components/next-step";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.outcome === "ended" ? "You are signed out everywhere" : "You are signed out of this app everywhere" },
];

/** Where "sign out of all devices" (POST /logout-everywhere) ends: how far it reached. */
export const loader = ({ request }: LoaderFunctionArgs) => auth.logoutEverywherePage(request);

export default function SignedOutEverywhere() {
  const { outcome, provider } = useLoaderData<typeof loader>();
  return (
    <>
      {outcome === "ended" ? (
        <>
          <h1>You are signed out everywhere</h1>
          <p>Your sessions in this app and at {provider} have ended, on every device and in every browser.</p>
        </>
      ) : (
        <>
          <h1>You are signed out of this app everywhere</h1>
          <p>Your sessions in this app have ended, on every device and in every browser.</p>
          <p data-testid="provider-sessions">
            {outcome === "app_only" &&
              `${provider} does not let this app end your sessions there: sign out on its own site if you need to.`}
            {outcome === "refused" &&
              `${provider} did not allow this app to end your sessions there, so you may still be signed in to it on other devices. Sign out in ${provider}'s account console, or ask an administrator to let accounts manage their sessions (the role manage-account).`}
            {outcome === "unreachable" &&
              `We could not reach ${provider}, so your sessions there may still be open. Sign out in its account console once it is back.`}
          </p>
        </>
      )}
      <NextStep href="/login" home>
        Log in again
      </NextStep>
    </>
  );
}
