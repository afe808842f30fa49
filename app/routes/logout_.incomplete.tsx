import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";
import { LogoutIncomplete } from "~/components/logout-incomplete";

export const meta: MetaFunction = () => [{ title: "You are logged out of this app" }];

/** After a logout that ended the app session but could not reach the provider's end-session endpoint. */
export const loader = ({ request }: LoaderFunctionArgs) => auth.logoutIncompletePage(request);

export default function LogoutIncompletePage() {
  return <LogoutIncomplete {...useLoaderData<typeof loader>()} />;
}
