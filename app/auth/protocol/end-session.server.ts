export interface EndSessionRequest {
  /** The provider's discovered `end_session_endpoint`. */
  endSessionEndpoint: string;
  /** The id_token of the session being ended. Empty or missing: the provider asks the user to confirm. */
  idTokenHint?: string | null;
  /** Absolute URL, registered at the provider, where the browser lands after logout. */
  postLogoutRedirectUri: string;
  /** Always sent: without a hint it is what lets Keycloak honour `post_logout_redirect_uri`. */
  clientId: string;
  state?: string;
  /** e.g. "en de": the language of the provider's confirmation page. */
  uiLocales?: string;
}

/** How the browser is sent to the end-session endpoint: a GET redirect, or an auto-submitted form POST. */
export type LogoutMethod = "redirect" | "post";

/**
 * The longest request line (`GET <path>?<query> HTTP/1.1`) the logout
 * redirect may produce; longer ones go as a form POST. Measured: Keycloak
 * 26.7.3 itself accepts request lines up to 32,779 bytes and answers 414
 * above (docs/KEYCLOAK-COMPAT.md), but a default nginx in front of it
 * (`large_client_header_buffers 4 8k`) refuses lines over 8 KB, so the bound
 * is what both accept: a 6 KB id_token_hint still goes by redirect.
 */
export const MAX_REDIRECT_REQUEST_LINE_BYTES = 8_000;

/** Whether a GET to `url` stays within {@link MAX_REDIRECT_REQUEST_LINE_BYTES}. */
export function fitsInRedirect(url: URL): boolean {
  return Buffer.byteLength(`GET ${url.pathname}${url.search} HTTP/1.1`) <= MAX_REDIRECT_REQUEST_LINE_BYTES;
}

/** The configured method, except that a URL too long for the provider goes as a form POST instead. */
export function chooseLogoutMethod(configured: LogoutMethod, url: URL): LogoutMethod {
  return configured === "redirect" && !fitsInRedirect(url) ? "post" : configured;
}

/** An end-session request as a form: what the auto-submitting logout page posts. */
export interface EndSessionForm {
  action: string;
  fields: [name: string, value: string][];
}

/**
 * The one place that builds an RP-initiated logout URL (OpenID Connect
 * RP-Initiated Logout 1.0). It never emits the legacy `redirect_uri`, which
 * Keycloak 18+ rejects with "Invalid parameter: redirect_uri".
 */
export function buildEndSessionUrl(request: EndSessionRequest): URL {
  const url = endpointUrl(request);
  for (const [name, value] of Object.entries(endSessionParams(request))) {
    url.searchParams.set(name, value);
  }
  return url;
}

/**
 * The same request as a form POST (the end-session endpoint accepts both):
 * the id_token then stays out of URLs, browser history and access logs.
 */
export function buildEndSessionForm(request: EndSessionRequest): EndSessionForm {
  const url = endpointUrl(request);
  const params = endSessionParams(request);
  for (const name of Object.keys(params)) url.searchParams.delete(name);
  return { action: url.toString(), fields: Object.entries(params) };
}

function endpointUrl(request: EndSessionRequest): URL {
  const url = new URL(request.endSessionEndpoint);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError("end_session_endpoint must be an http(s) URL");
  }
  url.searchParams.delete("redirect_uri");
  return url;
}

/** The end-session parameters, in the order they are sent. */
export function endSessionParams(request: EndSessionRequest): Record<string, string> {
  const params: Record<string, string> = {};
  if (request.idTokenHint) params.id_token_hint = request.idTokenHint;
  params.client_id = request.clientId;
  params.post_logout_redirect_uri = request.postLogoutRedirectUri;
  if (request.state) params.state = request.state;
  if (request.uiLocales) params.ui_locales = request.uiLocales;
  return params;
}
