import { getStrategy } from "./authenticator.server";
import { getConfig } from "./config.server";
import { buildEndSessionUrl } from "./end-session.server";
import { AuthError } from "./errors";
import { logAuthEvent } from "./log.server";
import { destroySessionHeaders, getSession } from "./session.server";

/** The app session ended, but the provider could not be told. */
export interface LogoutIncomplete {
  headers: Headers;
}

/**
 * Ends the app session first (whatever happens next, the browser's session
 * cookies are cleared), then sends the browser to the provider's
 * end-session endpoint so the single sign-on session ends too.
 */
export async function logout(request: Request): Promise<Response | LogoutIncomplete> {
  const session = getSession(request);
  const headers = destroySessionHeaders(request);
  headers.set("Location", "/");
  const localOnly = () => new Response(null, { status: 302, headers });
  if (!session) return localOnly();

  const { realm, sub } = session.user;
  const strategy = getStrategy(realm);
  if (!strategy) {
    logAuthEvent("logout", { realm, sub, outcome: "local_only", detail: "realm no longer configured" });
    return localOnly();
  }

  let endSessionEndpoint: string | null;
  try {
    endSessionEndpoint = await strategy.endSessionEndpoint();
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    logAuthEvent("logout", { realm, sub, outcome: "idp_unreachable", code: error.code, detail: error.detail });
    headers.delete("Location");
    return { headers };
  }
  if (!endSessionEndpoint) {
    logAuthEvent("logout", { realm, sub, outcome: "local_only", detail: "provider has no end_session_endpoint" });
    return localOnly();
  }

  const url = buildEndSessionUrl({
    endSessionEndpoint,
    idTokenHint: session.idToken,
    postLogoutRedirectUri: `${getConfig().appUrl}/`,
    clientId: strategy.clientId,
  });
  headers.set("Location", url.toString());
  logAuthEvent("logout", { realm, sub, outcome: "redirect_to_idp" });
  return new Response(null, { status: 302, headers });
}
