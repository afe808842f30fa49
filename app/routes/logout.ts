import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

// A resource route (no component, no ErrorBoundary): Remix hands the POST straight
// to the action, under any server, without the page pipeline.
export const action = ({ request }: ActionFunctionArgs) => auth.logout(request);

/** GET never logs out: the "Log out" button is in the header of every page. */
export const loader = () => redirect("/", { status: 303 });
