import type { ActionFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const action = ({ request, params }: ActionFunctionArgs) =>
  auth.handleBackchannelLogout(request, params.realm ?? "");
