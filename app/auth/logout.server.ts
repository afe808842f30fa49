import { getProvider } from "./authenticator.server";
import { getConfig } from "./config.server";
import { buildEndSessionUrl, type EndSessionRequest } from "./end-session.server";
import { AuthError } from "./errors";
import { logAuthEvent } from "./log.server";
import { destroySessionHeaders, getSession } from "./session.server";

/** The app session ended, but not the provider's: it could not be reached, or it has no end-session endpoint. */
export interface LogoutIncomplete {
  reason: "idp_unreachable" | "local_only";
  /** The provider's name for the page. */
  provider: string;
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
  const provider = getProvider(realm);
  if (!provider) {
    logAuthEvent("logout", { realm, sub, outcome: "local_only", detail: "provider no longer configured" });
    return localOnly();
  }

  let endSession: EndSessionRequest | null;
  try {
    endSession = await provider.strategy.endSessionRequest({
      idToken: session.idToken,
      postLogoutRedirectUri: `${getConfig().appUrl}/`,
    });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    logAuthEvent("logout", { realm, sub, outcome: "idp_unreachable", code: error.code, detail: error.detail });
    headers.delete("Location");
    return { reason: "idp_unreachable", provider: provider.label, headers };
  }
  if (!endSession) {
    logAuthEvent("logout", { realm, sub, outcome: "local_only", detail: "provider has no end_session_endpoint" });
    headers.delete("Location");
    return { reason: "local_only", provider: provider.label, headers };
  }

  const url = buildEndSessionUrl(endSession);
  headers.set("Location", url.toString());
  logAuthEvent("logout", { realm, sub, outcome: "redirect_to_idp" });
  return new Response(null, { status: 302, headers });
}
