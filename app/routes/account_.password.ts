import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

// A resource route, like /logout: the POST of /account's "Change password" goes to Keycloak's own form
// (kc_action=UPDATE_PASSWORD) and comes back to /account, which says how it went.
export const action = ({ request }: ActionFunctionArgs) => auth.startAccountAction(request, "update-password");

export const loader = () => redirect("/account", { status: 303 });
