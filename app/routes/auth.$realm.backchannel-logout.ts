import type { ActionFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

export const action = ({ request, params }: ActionFunctionArgs) =>
  auth.handleBackchannelLogout(request, params.realm ?? "");

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
