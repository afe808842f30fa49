import type { ActionFunctionArgs } from "@remix-run/node";
import { handleBackchannelLogout } from "~/auth/index.server";

export const action = ({ request, params }: ActionFunctionArgs) => handleBackchannelLogout(request, params.realm ?? "");

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
