import { describeAuthError, describeProviderError } from "../core/error-pages";
import { AuthError } from "../core/errors";
import { pendingLoginsCookie } from "../http/cookies.server";
import { pageData, redirectResponse } from "../http/framework";
import { plainResponse, refusedUnlessSameOriginPost } from "../http/same-origin";
import {
  accountActionStatus,
  ACCOUNT_ACTIONS,
  offersRegistration,
  outcomeSetCookie,
  pendingAction,
  readPendingAction,
  type AccountAction,
} from "../keycloak/account-actions";
import { MAX_PENDING_LOGINS, type ProviderMetadata } from "../protocol/oidc-strategy.server";
import { stepUpFrom, stepUpParams } from "../protocol/step-up";
import type { ProviderContext } from "../providers/context.server";
import { createAuthSession, getAuthSession, requireAuthSession } from "../session/session.server";
import { requestId } from "../core/request-id.server";
import { checkStepUp, rememberStepUp, stepUpLoginUrl, takeStepUp } from "../tokens/recent-login.server";
import { sanitizeReturnTo } from "./return-to";

/** `state` -> the path to return to (or an account action's entry): each tab comes back where it started. */
const returnTos = ({ config }: ProviderContext, realm: string) =>
  pendingLoginsCookie("oidc-return-to", realm, config.secureCookies, MAX_PENDING_LOGINS);

/**
 * Bytes a return path may take in that cookie, form-encoded (each `/` takes three): over https every request
 * carries the cookie, so it stays under 800 bytes (docs/decisions/001-chunked-session-cookie.md).
 */
const MAX_KEPT_RETURN_TO = 200;
const storedLength = (returnTo: string) => new URLSearchParams({ returnTo }).toString().length - "returnTo=".length;

/**
 * Redirects to the realm's provider; `?returnTo=` is kept, sanitized, for the way back. `?prompt=login` asks for
 * the login form even with a provider session; `?prompt=create` for the registration form, when the provider
 * lists `create` in `prompt_values_supported` (Keycloak 26.1+ with registration on), else it is a plain login.
 * `?max_age=`, `?acr_values=` (step-up, from `requireRecentLogin`) go along, kept for the callback to check.
 */
export async function startLogin(
  ctx: ProviderContext,
  request: Request,
  realm: string,
): Promise<Response | LoginFailure> {
  const url = new URL(request.url);
  const prompt = url.searchParams.get("prompt");
  const returnTo = sanitizeReturnTo(url.searchParams.get("returnTo"));
  const stepUp = stepUpFrom(url.searchParams);
  const started = await redirectToProvider(ctx, request, realm, returnTo, (metadata): Record<string, string> => ({
    ...(stepUp && stepUpParams(stepUp)),
    ...((prompt === "login" || (prompt === "create" && offersRegistration(metadata))) && { prompt: prompt! }),
  }));
  if (stepUp && started instanceof Response) rememberStepUp(ctx, request, realm, started, stepUp);
  return started;
}

/**
 * "Change password" and the like (a POST from the app's pages): the session's Keycloak realm is asked for the
 * action (`kc_action`), and the callback brings the user back to `returnTo` with its outcome, the session kept.
 */
export async function startAccountAction(
  ctx: ProviderContext,
  request: Request,
  action: AccountAction,
  returnTo = "/account",
): Promise<Response> {
  const refused = refusedUnlessSameOriginPost(request, ctx.config.appUrl, "account action");
  if (refused) return refused;
  const { user } = await requireAuthSession(ctx, request);
  if (ctx.providers.get(user.realm)?.kind !== "keycloak") return plainResponse("Not a Keycloak account", 404);
  const back = sanitizeReturnTo(returnTo);
  const started = await redirectToProvider(ctx, request, user.realm, pendingAction(action, back), () => ({
    kc_action: ACCOUNT_ACTIONS[action],
  }));
  if (started instanceof Response) return started;
  // The provider cannot be reached (logged above): the page the user came from says the action failed.
  return redirectResponse(back, { "Set-Cookie": outcomeSetCookie(ctx.config.secureCookies, action, "error") }, 303);
}

async function redirectToProvider(
  ctx: ProviderContext,
  request: Request,
  realm: string,
  pending: string,
  extraParams: (metadata: ProviderMetadata) => Record<string, string>,
): Promise<Response | LoginFailure> {
  const provider = ctx.providers.get(realm);
  if (!provider) return unknownProvider(ctx, request, realm);
  const url = new URL(request.url);
  // Without its query, as a GET, so the strategy never mistakes a stray `state` for a callback.
  const loginRequest = new Request(new URL(url.pathname, url), { headers: request.headers });
  let strategy;
  try {
    strategy = await provider.strategy();
    // With discovery cached, nothing else would notice a provider that is down before the browser does.
    if (!(await ctx.providerAnswers(strategy.issuer))) {
      throw new AuthError("idp_unreachable", "the provider did not answer the reachability check");
    }
    await ctx.providers.authenticator.authenticate(realm, loginRequest);
  } catch (thrown) {
    if (thrown instanceof Response) {
      const location = new URL(thrown.headers.get("Location")!);
      for (const [name, value] of Object.entries(extraParams(strategy!.metadata)))
        location.searchParams.set(name, value);
      thrown.headers.set("Location", location.href);
      const state = location.searchParams.get("state")!;
      // A return path too long for the cookie comes back to the home page.
      const kept = storedLength(pending) <= MAX_KEPT_RETURN_TO ? pending : "/";
      thrown.headers.append("Set-Cookie", returnTos(ctx, realm).add(request, state, kept));
      noStore(thrown.headers);
      return thrown;
    }
    if (thrown instanceof AuthError) return failure(ctx, request, realm, thrown, new Headers());
    throw thrown;
  }
  throw new Error(`strategy ${realm} did not redirect to the provider`);
}

/** Completes the login at the callback: a session and a redirect back, or a failure page. */
export async function completeLogin(
  ctx: ProviderContext,
  request: Request,
  realm: string,
): Promise<Response | LoginFailure> {
  const provider = ctx.providers.get(realm);
  if (!provider) return unknownProvider(ctx, request, realm);

  const headers = new Headers();
  const state = new URL(request.url).searchParams.get("state");
  const pending = readPendingAction(state && returnTos(ctx, realm).read(request).get(state));
  const [action, returnTo] = [pending.action, sanitizeReturnTo(pending.returnTo)];
  headers.append("Set-Cookie", returnTos(ctx, realm).remove(request, state ?? ""));
  // Without a `state` (or an empty one) the strategy would start a new login: a callback never does.
  if (!state) return failure(ctx, request, realm, new AuthError("state_mismatch", "callback without state"), headers);
  const stepUp = takeStepUp(ctx, request, realm, state, headers);

  try {
    const strategy = await provider.strategy();
    headers.append("Set-Cookie", strategy.finishLoginCookie(request));
    const result = await ctx.providers.authenticator.authenticate(realm, request);
    checkStepUp(result.idToken, stepUp); // before the session is replaced: a refused step-up leaves it as it was
    if (action) {
      // The user asked for an action on the account signed in here: someone else coming back is not a new login.
      const current = await getAuthSession(ctx, request);
      if (current && (current.user.realm !== realm || current.user.sub !== result.user.sub))
        throw new AuthError("account_action_other_user", `${action} came back as another sub than the session's`);
      const status = accountActionStatus(new URL(request.url), action);
      headers.append("Set-Cookie", outcomeSetCookie(ctx.config.secureCookies, action, status));
      ctx.log(request, "account_action", { realm, outcome: status, detail: action, sub: result.user.sub });
    }
    const response = await createAuthSession(ctx, request, result, returnTo, noStore(headers));
    ctx.log(request, "login", { realm, outcome: "success", username: result.user.username, sub: result.user.sub });
    return response;
  } catch (thrown) {
    if (thrown instanceof AuthError) {
      const retry = stepUp ? stepUpLoginUrl(realm, stepUp, returnTo) : RETRY_URLS[thrown.code]?.(realm);
      return failure(ctx, request, realm, thrown, headers, action ? returnTo : retry);
    }
    throw thrown;
  }
}

/**
 * Where each provider's login starts, keeping a sanitized `?returnTo=`; the default provider first. With
 * `createAccountHref` where the provider offers registration (`prompt=create`); a provider whose discovery
 * cannot be read just now gets none, and its login link says why.
 */
export async function loginOptions(
  ctx: ProviderContext,
  request: Request,
): Promise<{ name: string; label: string; href: string; createAccountHref?: string }[]> {
  const returnTo = sanitizeReturnTo(new URL(request.url).searchParams.get("returnTo"));
  const query = (prompt?: string) => {
    const params = new URLSearchParams({ ...(returnTo !== "/" && { returnTo }), ...(prompt && { prompt }) });
    return params.size ? `?${params}` : "";
  };
  return Promise.all(
    ctx.providers.list().map(async ({ name, label, strategy }) => {
      const offersCreate = await strategy().then(
        ({ metadata }) => offersRegistration(metadata),
        () => false,
      );
      const href = `/auth/${name}/login`;
      return { name, label, href: href + query(), ...(offersCreate && { createAccountHref: href + query("create") }) };
    }),
  );
}

type LoginFailure = ReturnType<typeof failure>;

/** The failure page's data, with its status; the IdP's own words go to the log only. */
function failure(
  ctx: ProviderContext,
  request: Request,
  realm: string,
  error: AuthError,
  headers: Headers,
  retryUrl = `/auth/${realm}/login`,
) {
  ctx.log(request, "login_failed", { realm, outcome: "failure", code: error.code, detail: error.detail });
  const provider = ctx.providers.get(realm);
  const { status, ...page } = describeAuthError(error.code, provider?.label);
  // When the provider sent the browser back with an `error` (the user cancelled, the provider was busy), that is
  // the real cause, whatever check then stopped the callback.
  const { title, message } = describeProviderError(new URL(request.url).searchParams.get("error")) ?? page;
  const view = {
    title,
    message,
    retryUrl,
    retryLabel: page.retryLabel,
    // A problem of the set-up: the id that joins the user's report to the log line above.
    reportId: status >= 500 ? requestId(request) : undefined,
    // The provider signed the user in before it refused the app: a shared computer must be able to end that.
    signOutAt:
      error.code === "client_rejected" && provider
        ? { action: `/auth/${provider.name}/logout`, label: provider.label }
        : undefined,
  };
  return pageData({ error: view }, { status, headers: noStore(headers) });
}

/** Where the failure page's one way on goes, when not back to the provider's login. */
const RETRY_URLS: Partial<Record<AuthError["code"], (realm: string) => string>> = {
  // The provider's session would sign the same account in again: ask for its login form.
  session_too_large: (realm) => `/auth/${realm}/login?prompt=login`,
  // Every login fails alike until the client is fixed: no loop back to the provider.
  client_rejected: () => "/",
};

function unknownProvider(ctx: ProviderContext, request: Request, name: string) {
  const error = new AuthError("unknown_provider", `no strategy named ${JSON.stringify(name.slice(0, 64))}`);
  return failure(ctx, request, "-", error, new Headers(), "/login");
}

/** The callback URL carries a code: keep it out of caches and Referer headers. */
function noStore(headers: Headers): Headers {
  headers.set("Cache-Control", "no-store");
  headers.set("Referrer-Policy", "no-referrer");
  return headers;
}
