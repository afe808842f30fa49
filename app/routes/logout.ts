import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { logout } from "~/auth/logout.server";

// A resource route (no component): the logout POST answers before, and without, Remix's page pipeline.
export const action = ({ request }: ActionFunctionArgs) => logout(request);

/** GET never logs out: the "Log out" button is in the header of every page. */
export const loader = () => redirect("/", { status: 303 });
