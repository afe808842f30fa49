import { redirect, type LoaderFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const loader = async ({ request }: LoaderFunctionArgs) => redirect((await auth.loginOptions(request))[0]!.href);
