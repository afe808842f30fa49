import { data } from "@remix-run/node";
import { getProvider, type Provider } from "./authenticator.server";
import { getConfig } from "./config.server";
import { endSessionPage } from "./end-session-page.server";
import { buildEndSessionForm, buildEndSessionUrl, type EndSessionForm } from "./end-session.server";
import { AuthError } from "./errors";
import { logAuthEvent } from "./log.server";
import { createLogoutState, LOGOUT_CALLBACK_PATH, verifyLogoutState } from "./logout-state.server";
import { isCrossSiteRequest } from "./same-origin";
import { destroyAuthSessionHeaders, getAuthSession } from "./session.server";

type Incomplete = "idp_unreachable" | "local_only";

/**
 * The app session ended but not the provider's: it could not be reached, or it
 * has no end-session endpoint. Redirects (POST, then GET) to the page saying
 * so, which reads the now cookie-less request like any other.
 */
function incomplete(reason: Incomplete, realm: string, headers: Headers) {
  headers.set("Location", `/logout?${new URLSearchParams({ ended: reason, realm })}`);
  return new Response(null, { status: 303, headers });
}

/** The data of the logout page: the form for a signed-in user, or what an incomplete logout left. */
export async function logoutPage(request: Request) {
  const url = new URL(request.url);
  const reason = url.searchParams.get("ended");
  const provider = getProvider(url.searchParams.get("realm") ?? "");
  if ((reason === "idp_unreachable" || reason === "local_only") && provider) {
    const ended = { reason: reason as Incomplete, realm: provider.name, provider: provider.label };
    return data({ ended, username: null }, { status: reason === "idp_unreachable" ? 503 : 200 });
  }
  return data({ ended: null, username: (await getAuthSession(request))?.user.username ?? null });
}

/**
 * Ends the app session first (whatever happens next, the browser's session
 * cookies are cleared), then sends the browser to the provider's
 * end-session endpoint so the single sign-on session ends too.
 */
export async function logout(request: Request) {
  // Remix hands PUT, PATCH and DELETE to the action too: only a POST logs out.
  if (request.method !== "POST") {
    return new Response("Method not allowed", { status: 405, headers: { Allow: "GET, POST", "Content-Type": "text/plain" } });
  }
  // A cross-site form must not be able to log anyone out (nor anything else).
  if (isCrossSiteRequest(request.headers, getConfig().appUrl)) {
    return new Response("Cross-site logout refused", { status: 403, headers: { "Content-Type": "text/plain" } });
  }
  const session = await getAuthSession(request);
  const headers = destroyAuthSessionHeaders(request);
  headers.set("Location", "/");
  const localOnly = () => new Response(null, { status: 302, headers });
  if (!session) return localOnly();

  const { realm, sub } = session.user;
  const provider = getProvider(realm);
  if (!provider) {
    logAuthEvent(request, "logout", { realm, sub, outcome: "local_only", detail: "provider no longer configured" });
    return localOnly();
  }

  let prepared: Awaited<ReturnType<typeof prepareEndSession>>;
  try {
    prepared = await prepareEndSession(provider, session.idToken);
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    logAuthEvent(request, "logout", { realm, sub, outcome: "idp_unreachable", code: error.code, detail: error.detail });
    return incomplete("idp_unreachable", realm, headers);
  }
  if (!prepared) {
    logAuthEvent(request, "logout", { realm, sub, outcome: "local_only", detail: "provider has no end_session_endpoint" });
    return incomplete("local_only", realm, headers);
  }

  const { endSession, stateCookie, logoutMethod } = prepared;
  headers.append("Set-Cookie", stateCookie);
  logAuthEvent(request, "logout", { realm, sub, outcome: `${logoutMethod}_to_idp` });
  if (logoutMethod === "post") {
    headers.delete("Location");
    return data({ endSession: { form: buildEndSessionForm(endSession), provider: provider.label } }, { headers });
  }
  headers.set("Location", buildEndSessionUrl(endSession).toString());
  return new Response(null, { status: 302, headers });
}

/**
 * For a document POST to /logout in "post" mode: the auto-submitting page,
 * answered instead of the app's page (entry.server calls this), so the
 * id_token is in that form only, not in the app's hydration data.
 */
export function endSessionPageFor(actionData: unknown, headers: Headers): Response | null {
  const endSession = (actionData as { endSession?: { form: EndSessionForm; provider: string } } | undefined)?.endSession;
  return endSession ? endSessionPage(endSession.form, endSession.provider, headers) : null;
}

/**
 * `GET /logout/callback`, where the provider sends the browser back: checks
 * the logout `state` (a mismatch is logged; the user is logged out either way)
 * and asks the browser to drop every cookie of the app's origin.
 */
export async function completeLogout(request: Request) {
  const { result, clearCookie } = await verifyLogoutState(request);
  if (result !== "valid") {
    logAuthEvent(request, "logout", { realm: "-", outcome: "state_check_failed", detail: `logout state ${result}` });
  }
  const headers = destroyAuthSessionHeaders(request);
  headers.append("Set-Cookie", clearCookie);
  // After the provider's logout, not before: this can also clear a provider's cookies on a sibling subdomain.
  headers.set("Clear-Site-Data", '"cookies"');
  headers.set("Cache-Control", "no-store");
  return data({ loggedOut: true }, { headers });
}

/**
 * `GET /auth/:realm/logout`: the retry after the provider was unreachable at
 * logout. The app session is already gone, so there is no id_token_hint: the
 * provider asks the user to confirm, then comes back.
 */
export async function retryProviderLogout(realm: string): Promise<Response> {
  const provider = getProvider(realm);
  if (!provider) return new Response("Unknown realm", { status: 404, headers: { "Content-Type": "text/plain" } });
  const headers = new Headers({ "Cache-Control": "no-store" });
  try {
    const prepared = await prepareEndSession(provider, null);
    if (!prepared) return incomplete("local_only", realm, headers);
    headers.append("Set-Cookie", prepared.stateCookie);
    headers.set("Location", buildEndSessionUrl(prepared.endSession).toString());
    return new Response(null, { status: 302, headers });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return incomplete("idp_unreachable", realm, headers);
  }
}

/**
 * The provider's end-session request for this logout (or `null` when it has
 * none), with a fresh `state` and the cookie that binds it to this browser.
 * Throws an AuthError when the provider cannot be reached.
 */
async function prepareEndSession(provider: Provider, idToken: string | null) {
  const { state, cookie } = createLogoutState();
  const strategy = await provider.strategy();
  const endSession = await strategy.endSessionRequest({
    idToken,
    postLogoutRedirectUri: `${getConfig().appUrl}${LOGOUT_CALLBACK_PATH}`,
    state,
  });
  return endSession && { endSession, stateCookie: cookie, logoutMethod: strategy.logoutMethod };
}
