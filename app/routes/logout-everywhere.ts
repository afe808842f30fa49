import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

// "Sign out of all devices", the form on /account. A resource route like /logout: the POST reaches the action
// under any server, and a cross-site one is refused with 403 before anything happens.
export const action = ({ request }: ActionFunctionArgs) => auth.logoutEverywhere(request);

/** GET never logs out. */
export const loader = () => redirect("/", { status: 303 });
