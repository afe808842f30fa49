import { decodeJwt } from "jose";
import { describeAuthError, describeProviderError } from "../core/error-pages";
import { AuthError } from "../core/errors";
import { BoundedEntriesCookie, stateCookie } from "../http/cookies.server";
import { pageData, redirectResponse } from "../http/framework";
import { MAX_PENDING_LOGINS } from "../protocol/oidc-strategy.server";
import {
  decodeStepUp,
  encodeStepUp,
  meetsStepUp,
  stepUpFrom,
  stepUpParams,
  unmetStepUp,
  type StepUp,
} from "../protocol/step-up";
import type { ProviderContext } from "../providers/context.server";
import { createAuthSession, getIdTokenClaims, requireAuthSession } from "../session/session.server";
import { requestId } from "../core/request-id.server";
import { sanitizeReturnTo } from "./return-to";

/**
 * `state` -> the path to return to, for the logins in progress in this browser: each tab comes back where it
 * started. Scoped like the strategy's state cookie: the login route adds to it, the callback reads it. Over
 * https that is one `__Host-` cookie for every provider, still holding three logins at most.
 */
function returnTos(ctx: ProviderContext, realm: string) {
  return loginCookie(ctx, realm, "oidc-return-to");
}

/** `state` -> the step-up a login in progress was asked for (`requireRecentLogin`), for the callback's check. */
function stepUps(ctx: ProviderContext, realm: string) {
  return loginCookie(ctx, realm, "oidc-step-up");
}

function loginCookie({ config }: ProviderContext, realm: string, cookieName: string) {
  const { name, attributes } = stateCookie(cookieName, {
    path: `/auth/${realm}/`,
    secure: config.secureCookies,
    maxAge: 300,
  });
  return new BoundedEntriesCookie(name, attributes, MAX_PENDING_LOGINS);
}

/**
 * Bytes a return path may take in that cookie, form-encoded (each `/` takes three): over https every request
 * carries the cookie, so it stays under 800 bytes (docs/decisions/001-chunked-session-cookie.md).
 */
const MAX_KEPT_RETURN_TO = 200;
const storedLength = (returnTo: string) => new URLSearchParams({ returnTo }).toString().length - "returnTo=".length;

/**
 * Redirects to the realm's provider; `?returnTo=` is kept, sanitized, for the way back. `?max_age=` and
 * `?acr_values=` (from `requireRecentLogin`) go to the provider, and are kept for the callback to check.
 */
export async function startLogin(
  ctx: ProviderContext,
  request: Request,
  realm: string,
): Promise<Response | LoginFailure> {
  const provider = ctx.providers.get(realm);
  if (!provider) return unknownProvider(ctx, request, realm);
  const url = new URL(request.url);
  const returnTo = sanitizeReturnTo(url.searchParams.get("returnTo"));
  // Without its query, so the strategy never mistakes a stray `state` for a callback.
  const loginRequest = new Request(new URL(url.pathname, url), { headers: request.headers });
  try {
    const strategy = await provider.strategy();
    // With discovery cached, nothing else would notice a provider that is down before the browser does.
    if (!(await ctx.providerAnswers(strategy.issuer))) {
      throw new AuthError("idp_unreachable", "the provider did not answer the reachability check");
    }
    await ctx.providers.authenticator.authenticate(realm, loginRequest);
  } catch (thrown) {
    if (thrown instanceof Response) {
      if (url.searchParams.get("prompt") === "login") askForLogin(thrown);
      const state = new URL(thrown.headers.get("Location")!).searchParams.get("state")!;
      const stepUp = stepUpFrom(url.searchParams);
      if (stepUp) {
        askForStepUp(thrown, stepUp);
        thrown.headers.append(
          "Set-Cookie",
          stepUps(ctx, realm).add(request, state, encodeStepUp(stepUp, nowSeconds())),
        );
      }
      // A return path too long for the cookie comes back to the home page.
      const kept = storedLength(returnTo) <= MAX_KEPT_RETURN_TO ? returnTo : "/";
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
  const returnTo = sanitizeReturnTo(state && returnTos(ctx, realm).read(request).get(state));
  headers.append("Set-Cookie", returnTos(ctx, realm).remove(request, state ?? ""));
  const stepUp = state ? decodeStepUp(stepUps(ctx, realm).read(request).get(state)) : null;
  if (stepUp) headers.append("Set-Cookie", stepUps(ctx, realm).remove(request, state!));
  // Without a `state` (or an empty one) the strategy would start a new login: a callback never does.
  if (!state) return failure(ctx, request, realm, new AuthError("state_mismatch", "callback without state"), headers);

  try {
    const strategy = await provider.strategy();
    headers.append("Set-Cookie", strategy.finishLoginCookie(request));
    const result = await ctx.providers.authenticator.authenticate(realm, request);
    // Before the session is replaced: a provider that ignored the step-up leaves the user's session as it was.
    const unmet = stepUp && unmetStepUp(decodeJwt(result.idToken), stepUp, stepUp.startedAt);
    if (unmet) throw new AuthError("step_up_not_met", unmet);
    const response = await createAuthSession(ctx, request, result, returnTo, noStore(headers));
    ctx.log(request, "login", { realm, outcome: "success", username: result.user.username, sub: result.user.sub });
    return response;
  } catch (thrown) {
    if (thrown instanceof AuthError) {
      const retryUrl = stepUp ? loginUrl(realm, stepUp, returnTo) : RETRY_URLS[thrown.code]?.(realm);
      return failure(ctx, request, realm, thrown, headers, retryUrl);
    }
    throw thrown;
  }
}

/**
 * The signed-in session, when its login meets `stepUp` (by default, a login within `config.stepUpMaxAge`);
 * otherwise throws the redirect that signs the user in again at the session's provider, asking it for that
 * (`max_age`, `acr_values`), and comes back to this page. No session: the redirect to login.
 */
export async function requireRecentLogin(ctx: ProviderContext, request: Request, asked: StepUp = {}) {
  const session = await requireAuthSession(ctx, request);
  const stepUp = { ...asked, maxAge: asked.maxAge ?? ctx.config.stepUpMaxAge ?? DEFAULT_STEP_UP_MAX_AGE };
  if (meetsStepUp(getIdTokenClaims(session), stepUp, nowSeconds())) return session;
  const url = new URL(request.url);
  throw redirectResponse(loginUrl(session.user.realm, stepUp, url.pathname + url.search), new Headers());
}

/** Five minutes: long enough to do a task, short enough that an unattended browser must sign in again. */
export const DEFAULT_STEP_UP_MAX_AGE = 300;

const loginUrl = (realm: string, stepUp: StepUp, returnTo: string) =>
  `/auth/${realm}/login?${new URLSearchParams({ ...stepUpParams(stepUp), returnTo })}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Where each provider's login starts, keeping a sanitized `?returnTo=`; the default provider first. */
export function loginOptions(ctx: ProviderContext, request: Request): { name: string; label: string; href: string }[] {
  const returnTo = sanitizeReturnTo(new URL(request.url).searchParams.get("returnTo"));
  const query = returnTo === "/" ? "" : `?${new URLSearchParams({ returnTo })}`;
  return ctx.providers.list().map(({ name, label }) => ({ name, label, href: `/auth/${name}/login${query}` }));
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

/** `prompt=login`: the provider shows its login form even to a browser it has a session with (OIDC Core 3.1.2.1). */
function askForLogin(redirect: Response): void {
  const location = new URL(redirect.headers.get("Location")!);
  location.searchParams.set("prompt", "login");
  redirect.headers.set("Location", location.href);
}

function askForStepUp(redirect: Response, stepUp: StepUp): void {
  const location = new URL(redirect.headers.get("Location")!);
  for (const [name, value] of Object.entries(stepUpParams(stepUp))) location.searchParams.set(name, value);
  redirect.headers.set("Location", location.href);
}

/** The callback URL carries a code: keep it out of caches and Referer headers. */
function noStore(headers: Headers): Headers {
  headers.set("Cache-Control", "no-store");
  headers.set("Referrer-Policy", "no-referrer");
  return headers;
}
