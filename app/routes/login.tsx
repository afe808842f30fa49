import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { defaultLoginUrl } from "~/auth/login.server";

export const loader = ({ request }: LoaderFunctionArgs) => redirect(defaultLoginUrl(request));
