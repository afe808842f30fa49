/**
 * True when a browser says this request comes from another site: an `Origin`
 * that is not the app's, or `Sec-Fetch-Site` other than same-origin/none.
 * Requests without either header (curl, very old browsers) are not refused:
 * every current browser sends `Origin` on a POST.
 */
export function isCrossSiteRequest(headers: Headers, appOrigin: string): boolean {
  const origin = headers.get("Origin");
  if (origin !== null && origin !== appOrigin) return true;
  const site = headers.get("Sec-Fetch-Site");
  return site !== null && site !== "same-origin" && site !== "none";
}
