import type { LoaderFunctionArgs } from "@remix-run/node";
import { retryProviderLogout } from "~/auth/logout.server";

/** "Try again" after the provider was unreachable at logout. */
export const loader = ({ request, params }: LoaderFunctionArgs) => retryProviderLogout(request, params.realm ?? "");
