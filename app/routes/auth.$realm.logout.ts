import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

/** "Retry" after the provider was unreachable at logout: the form on /logout/incomplete. */
export const action = ({ request, params }: ActionFunctionArgs) =>
  auth.retryProviderLogout(request, params.realm ?? "");

/** GET never starts a logout: a link, or a page on another site, must not end anyone's session. */
export const loader = () => redirect("/", { status: 303 });
