// Step-up around the login flow: the page's guard (`requireRecentLogin`), and what a step-up login keeps for
// its callback to check (docs/EXTENDING.md, "Ask for a recent sign-in").
import { decodeJwt } from "jose";
import { AuthError } from "../core/errors";
import { pendingLoginsCookie } from "../http/cookies.server";
import { redirectResponse } from "../http/framework";
import { MAX_PENDING_LOGINS } from "../protocol/oidc-strategy.server";
import { decodeStepUp, encodeStepUp, meetsStepUp, stepUpParams, unmetStepUp, type StepUp } from "../protocol/step-up";
import type { ProviderContext } from "../providers/context.server";
import { getIdTokenClaims, requireAuthSession } from "../session/session.server";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The app's login URL that asks the provider for `stepUp` and comes back to `returnTo`. */
export const stepUpLoginUrl = (realm: string, stepUp: StepUp, returnTo: string) =>
  `/auth/${realm}/login?${new URLSearchParams({ ...stepUpParams(stepUp), returnTo })}`;

/**
 * The signed-in session, when its login meets `stepUp` (by default, a login within `config.stepUpMaxAge`);
 * otherwise throws the redirect that signs the user in again at the session's provider, asking it for that
 * (`max_age`, `acr_values`), and comes back to this page. No session: the redirect to login.
 */
export async function requireRecentLogin(ctx: ProviderContext, request: Request, asked: StepUp = {}) {
  const session = await requireAuthSession(ctx, request);
  const stepUp = { ...asked, maxAge: asked.maxAge ?? ctx.config.stepUpMaxAge };
  if (meetsStepUp(getIdTokenClaims(session), stepUp, nowSeconds())) return session;
  const url = new URL(request.url);
  throw redirectResponse(stepUpLoginUrl(session.user.realm, stepUp, url.pathname + url.search), new Headers());
}

/** `state` -> the step-up a login in progress was asked for. */
const stepUps = ({ config }: ProviderContext, realm: string) =>
  pendingLoginsCookie("oidc-step-up", realm, config.secureCookies, MAX_PENDING_LOGINS);

/** Keeps `stepUp` for the login the `redirect` to the provider starts (its `state`), with when it started. */
export function rememberStepUp(
  ctx: ProviderContext,
  request: Request,
  realm: string,
  redirect: Response,
  stepUp: StepUp,
) {
  const state = new URL(redirect.headers.get("Location")!).searchParams.get("state")!;
  redirect.headers.append("Set-Cookie", stepUps(ctx, realm).add(request, state, encodeStepUp(stepUp, nowSeconds())));
}

/** The step-up the login of `state` was asked for, its entry removed through `headers`; `null`: a plain login. */
export function takeStepUp(ctx: ProviderContext, request: Request, realm: string, state: string, headers: Headers) {
  const stepUp = decodeStepUp(stepUps(ctx, realm).read(request).get(state));
  if (stepUp) headers.append("Set-Cookie", stepUps(ctx, realm).remove(request, state));
  return stepUp;
}

/** Throws `step_up_not_met` when the new ID token does not show what was asked: the session is not replaced. */
export function checkStepUp(idToken: string, stepUp: (StepUp & { startedAt: number }) | null): void {
  const unmet = stepUp && unmetStepUp(decodeJwt(idToken), stepUp, stepUp.startedAt);
  if (unmet) throw new AuthError("step_up_not_met", unmet);
}
