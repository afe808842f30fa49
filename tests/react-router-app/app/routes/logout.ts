import { redirect, type ActionFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const action = ({ request }: ActionFunctionArgs) => auth.logout(request);

export const loader = () => redirect("/", { status: 303 });
