import type { LoaderFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

// Where the identity provider sends the browser back after ending its session. A resource route answering the
// module's own light page (the app's look, no script, no layout loader): the last hop of a logout costs about
// what a redirect does (issue #26).
export const loader = ({ request }: LoaderFunctionArgs) => auth.completeLogoutPage(request);
