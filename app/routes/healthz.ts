import type { LoaderFunctionArgs } from "@remix-run/node";
import { healthCheck } from "~/auth/flows/health.server";

export const loader = ({ request }: LoaderFunctionArgs) => healthCheck(request);
