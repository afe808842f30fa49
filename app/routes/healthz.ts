import type { LoaderFunctionArgs } from "@remix-run/node";
import { healthCheck } from "~/auth/index.server";

export const loader = ({ request }: LoaderFunctionArgs) => healthCheck(request);
