import { redirect } from "@remix-run/node";

/** Browsers ask for /favicon.ico on pages that name no icon (the app's plain-text answers, a proxy's error page). */
export const loader = () =>
  redirect("/favicon.svg", { status: 301, headers: { "Cache-Control": "public, max-age=86400" } });
