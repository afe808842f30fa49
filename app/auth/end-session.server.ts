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

/**
 * The one place that builds an RP-initiated logout URL (OpenID Connect
 * RP-Initiated Logout 1.0). It never emits the legacy `redirect_uri`, which
 * Keycloak 18+ rejects with "Invalid parameter: redirect_uri".
 */
export function buildEndSessionUrl(request: EndSessionRequest): URL {
  const url = new URL(request.endSessionEndpoint);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError("end_session_endpoint must be an http(s) URL");
  }
  for (const [name, value] of Object.entries(endSessionParams(request))) {
    url.searchParams.set(name, value);
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
