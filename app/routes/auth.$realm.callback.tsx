import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";
import { AuthErrorPage } from "~/components/auth-error-page";

export { authErrorMeta as meta } from "~/components/auth-error-page";

export const loader = ({ request, params }: LoaderFunctionArgs) => auth.completeLogin(request, params.realm ?? "");

export default function CallbackFailed() {
  return <AuthErrorPage error={useLoaderData<typeof loader>().error} />;
}
