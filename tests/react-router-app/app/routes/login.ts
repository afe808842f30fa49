import { redirect, type LoaderFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const loader = ({ request }: LoaderFunctionArgs) => redirect(auth.loginOptions(request)[0]!.href);
