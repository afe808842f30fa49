import { postLogoutRedirectUrl } from "../core/app-urls.server";
import type { Provider } from "../providers/registry.server";
import type { ProviderContext } from "../providers/context.server";
import { orderedNow } from "../core/clock";
import { endSessionPage, signedOutPage, type LogoutCallbackOutcome, type PageLook } from "./end-session-page.server";
import {
  buildEndSessionForm,
  buildEndSessionUrl,
  chooseLogoutMethod,
  fitsInRedirect,
} from "../protocol/end-session.server";
import { AuthError } from "../core/errors";
import { createLogoutState, verifyLogoutState, type LogoutStateCheck } from "./logout-state.server";
import { requestId } from "../core/request-id.server";
import { revocationKeys, revocationScope } from "../session/revocation.server";
import { plainResponse, refusedUnlessSameOriginPost } from "../http/same-origin";
import { pageData, redirectResponse } from "../http/framework";
import { destroyAuthSession, getAuthSession, sessionId, type AuthSessionData } from "../session/session.server";

type Incomplete = "idp_unreachable" | "local_only";
/** Logout may render the auto-submitting form page: in the app's look. */
type LogoutContext = ProviderContext & { readonly look: PageLook };
export const LOGOUT_INCOMPLETE_PATH = "/logout/incomplete";

/**
 * `POST /logout`. Ends the app session first, whatever happens next (the
 * session cookies are cleared and the session is recorded as ended, so a copy
 * of the cookie is dead too), then sends the browser to the provider's
 * end-session endpoint so the single sign-on session ends as well.
 */
export async function logout(ctx: LogoutContext, request: Request): Promise<Response> {
  // Only a POST logs out, and a cross-site form must not be able to log anyone out (nor anything else).
  const refused = refusedUnlessSameOriginPost(request, ctx.config.appUrl);
  if (refused) return refused;
  // A session kept in Redis cannot be read while Redis is down: the browser's cookies go anyway.
  const session = await getAuthSession(ctx, request).catch((error: unknown) => {
    if (error instanceof AuthError) return null;
    throw error;
  });
  const headers = await destroyAuthSession(ctx, request);
  headers.set("Cache-Control", "no-store");
  headers.set("X-Request-Id", requestId(request));
  if (!session) return redirectResponse("/", headers);

  await recordLogout(ctx, request, session);
  const { realm, sub } = session.user;
  const provider = ctx.providers.get(realm);
  if (!provider) {
    ctx.log(request, "logout", { realm, sub, outcome: "local_only", detail: "provider no longer configured" });
    return redirectResponse("/", headers);
  }
  return endProviderSession(ctx, request, provider, session.idToken, headers, sub);
}

/**
 * `POST /auth/:realm/logout`: "Retry" after the provider could not be told at
 * logout. The app session is already gone, so there is no id_token_hint: the
 * provider asks the user to confirm, then comes back. Only a same-origin POST:
 * the logout state it creates lets `/logout/callback` clear the site's
 * cookies, so another site must never be able to start one.
 */
export async function retryProviderLogout(ctx: LogoutContext, request: Request, realm: string): Promise<Response> {
  const refused = refusedUnlessSameOriginPost(request, ctx.config.appUrl);
  if (refused) return refused;
  const provider = ctx.providers.get(realm);
  if (!provider) return plainResponse("Unknown provider", 404);
  const headers = new Headers({ "Cache-Control": "no-store", "X-Request-Id": requestId(request) });
  return endProviderSession(ctx, request, provider, null, headers);
}

/**
 * Sends the browser to the provider's end-session endpoint (a redirect, or the
 * auto-submitting form when so configured or when the URL would be too long),
 * after checking that the provider answers. Any failure (unreachable, a broken
 * `end_session_endpoint`, anything else) ends on our page saying the provider's
 * session may still be open, never on a 500 or the browser's error page.
 */
async function endProviderSession(
  ctx: LogoutContext,
  request: Request,
  provider: Provider,
  idToken: string | null,
  headers: Headers,
  sub?: string,
) {
  const realm = provider.name;
  try {
    const strategy = await provider.strategy();
    const { state, cookie } = createLogoutState(ctx);
    const endSession = await strategy.endSessionRequest({
      idToken,
      postLogoutRedirectUri: postLogoutRedirectUrl(ctx.config.appUrl),
      state,
    });
    if (!endSession) {
      ctx.log(request, "logout", {
        realm,
        sub,
        outcome: "local_only",
        detail: "provider has no end_session_endpoint",
      });
      return incomplete("local_only", realm, headers);
    }
    if (!(await ctx.providerAnswers(strategy.issuer))) {
      throw new AuthError("idp_unreachable", "the provider did not answer the reachability check");
    }
    let url = buildEndSessionUrl(endSession);
    const method = chooseLogoutMethod(strategy.logoutMethod, url);
    headers.append("Set-Cookie", cookie);
    if (method === "post" && submittedAsDocument(request)) {
      ctx.log(request, "logout", { realm, sub, outcome: "post_to_idp" });
      return endSessionPage(buildEndSessionForm(endSession), provider.label, headers, ctx.look);
    }
    // A fetch submission (a Remix <Form> without reloadDocument) cannot show the form page: redirect,
    // without the hint when the URL would be too long (the provider then asks the user to confirm).
    if (!fitsInRedirect(url)) url = buildEndSessionUrl({ ...endSession, idTokenHint: null });
    ctx.log(request, "logout", { realm, sub, outcome: "redirect_to_idp" });
    headers.set("Location", url.toString());
    return new Response(null, { status: 302, headers });
  } catch (error) {
    const code = error instanceof AuthError ? error.code : "end_session_failed";
    const detail = error instanceof AuthError ? error.detail : String(error);
    ctx.log(request, "logout", { realm, sub, outcome: "idp_unreachable", code, detail });
    return incomplete("idp_unreachable", realm, headers);
  }
}

/** Whether the browser will show the answer as a page: every current browser says so in `Sec-Fetch-Dest`. */
function submittedAsDocument(request: Request): boolean {
  return (request.headers.get("Sec-Fetch-Dest") ?? "document") === "document";
}

/**
 * Records the logout in the revocation store, so the session is ended
 * everywhere: a copy of its cookie taken before is refused by every instance,
 * whatever the provider does next. A store that cannot be written does not
 * stop the logout.
 */
async function recordLogout(ctx: ProviderContext, request: Request, session: AuthSessionData) {
  const { user } = session;
  const keys = revocationKeys(revocationScope(ctx.config, user.realm), { sid: sessionId(session) });
  const { sessionMaxAge } = ctx.config;
  try {
    await Promise.all(keys.map((key) => ctx.revocations.revoke(key, orderedNow(), sessionMaxAge)));
  } catch (error) {
    ctx.log(request, "revocation_store_error", {
      realm: user.realm,
      outcome: "logout_not_recorded",
      detail: String(error),
    });
  }
}

/**
 * The app session ended but perhaps not the provider's. Redirects (POST, then
 * GET) to the page saying so, which reads the now cookie-less request like any other.
 */
function incomplete(reason: Incomplete, realm: string, headers: Headers) {
  headers.set("Location", `${LOGOUT_INCOMPLETE_PATH}?${new URLSearchParams({ reason, realm })}`);
  return new Response(null, { status: 303, headers });
}

/** The data of the page after a logout the provider could not complete. */
export function logoutIncompletePage(ctx: ProviderContext, request: Request) {
  const url = new URL(request.url);
  const reason = url.searchParams.get("reason");
  const provider = ctx.providers.get(url.searchParams.get("realm") ?? "");
  if ((reason !== "idp_unreachable" && reason !== "local_only") || !provider) {
    throw new Response("Not found", { status: 404 });
  }
  const view = { reason: reason as Incomplete, realm: provider.name, provider: provider.label };
  return pageData(view, { status: reason === "idp_unreachable" ? 503 : 200, headers: { "Cache-Control": "no-store" } });
}

/**
 * `GET /logout/callback`, where the provider sends the browser back. Only a
 * valid, single-use state bound to this browser clears anything (the session
 * and logout-state cookies); any other visit, e.g. a link or a page on
 * another site, changes nothing and says so.
 */
export async function completeLogout(ctx: ProviderContext, request: Request) {
  const { outcome, status, headers } = await logoutCallback(ctx, request);
  return pageData({ outcome }, { status, headers });
}

/** The same, answered with the module's own light page in the app's look (`signedOutPage`). */
export async function completeLogoutPage(ctx: LogoutContext, request: Request): Promise<Response> {
  const { outcome, status, headers } = await logoutCallback(ctx, request);
  // Only a link that was not valid leaves anyone signed in; the others' sessions are gone by now.
  const session = outcome === "invalid" ? await getAuthSession(ctx, request).catch(() => null) : null;
  const username = session?.user.username ?? null;
  const providerOrigins = ctx.config.providers.map((provider) => new URL(provider.issuer).origin);
  return signedOutPage(outcome, { status, headers, username, providerOrigins }, ctx.look);
}

async function logoutCallback(
  ctx: ProviderContext,
  request: Request,
): Promise<{ outcome: LogoutCallbackOutcome; status: number; headers: Headers }> {
  const { result, clearCookie } = await verifyLogoutState(ctx, request);
  if (result !== "valid") {
    ctx.log(request, "logout", { realm: "-", outcome: "state_check_failed", detail: `logout state ${result}` });
    const headers = new Headers({ "Cache-Control": "no-store" });
    if (await alreadySignedOut(ctx, request, result)) return { outcome: "signed_out", status: 200, headers };
    return { outcome: "invalid", status: 400, headers };
  }
  const headers = await destroyAuthSession(ctx, request);
  headers.append("Set-Cookie", clearCookie);
  // Each cookie by name, no `Clear-Site-Data`: it would delete the host app's and its sibling sites' cookies
  // too, and Chromium holds the page until it has (docs/decisions/004).
  headers.set("Cache-Control", "no-store");
  return { outcome: "ended", status: 200, headers };
}

/**
 * A logout link used already or expired (this page reloaded, a tab restored) in a browser without a session: the
 * user is signed out, and is told so, with nothing cleared again. A state that another one replaced, a link
 * without one, or any link while someone is signed in, stays refused: that is what a page on another site sends.
 */
async function alreadySignedOut(ctx: ProviderContext, request: Request, result: LogoutStateCheck): Promise<boolean> {
  if (result === "mismatch" || !new URL(request.url).searchParams.get("state")) return false;
  const session = await getAuthSession(ctx, request).catch(() => "unknown");
  return session === null;
}
