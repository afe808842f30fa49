import type { LoaderFunctionArgs } from "@remix-run/node";
import { auth } from "~/auth.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  auth.handleFrontchannelLogout(request, params.realm ?? "");
