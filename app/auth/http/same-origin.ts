/**
 * True when a browser says this request comes from another site: an `Origin`
 * that is not the app's, or `Sec-Fetch-Site` other than same-origin/none.
 * `Origin: null` is what Chromium sends for a form on a page with
 * `Referrer-Policy: no-referrer` (the app's `/auth/*` pages), so it counts as
 * ours only when `Sec-Fetch-Site` (which no page can forge) says same-origin.
 * Requests without either header (curl, very old browsers) are not refused:
 * every current browser sends `Origin` on a POST.
 */
export function isCrossSiteRequest(headers: Headers, appOrigin: string): boolean {
  const origin = headers.get("Origin");
  const site = headers.get("Sec-Fetch-Site");
  if (origin === "null") return site !== "same-origin";
  if (origin !== null && origin !== appOrigin) return true;
  return site !== null && site !== "same-origin" && site !== "none";
}

/** A short text answer: the refusals below, which no page renders. */
export function plainResponse(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

/**
 * The refusal of anything but a same-origin POST (405 for another method: frameworks hand PUT, PATCH and DELETE
 * to the action too; 403 from another site), or `null` when `request` is one. For the routes that log out or
 * start an account action (`what` names it in the refusal).
 */
export function refusedUnlessSameOriginPost(request: Request, appOrigin: string, what = "logout"): Response | null {
  if (request.method !== "POST") return plainResponse("Method not allowed", 405, { Allow: "GET, POST" });
  if (isCrossSiteRequest(request.headers, appOrigin)) return plainResponse(`Cross-site ${what} refused`, 403);
  return null;
}
