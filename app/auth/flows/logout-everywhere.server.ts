import { orderedNow } from "../core/clock";
import { AuthError } from "../core/errors";
import { pageData, redirectResponse } from "../http/framework";
import { refusedUnlessSameOriginPost } from "../http/same-origin";
import { endAllKeycloakSessions } from "../keycloak/account-sessions.server";
import type { Provider } from "../providers/registry.server";
import { revocationKeys, revocationScope } from "../session/revocation.server";
import { destroyAuthSession, getAuthSession } from "../session/session.server";
import { getAccessToken, type AccessToken } from "../tokens/access-token.server";
import type { TokenContext } from "../tokens/context.server";

export const LOGOUT_EVERYWHERE_PATH = "/logout/everywhere";

/** How far "sign out of all devices" reached: every session at the provider too, or the app's only (and why). */
export type EverywhereOutcome = "ended" | "app_only" | "refused" | "unreachable";
const OUTCOMES: readonly string[] = ["ended", "app_only", "refused", "unreachable"];

/**
 * `POST /logout-everywhere`: ends every session of the signed-in user. At Keycloak, all of the user's sessions
 * (its Account REST API, with the user's access token; Keycloak then tells every client by back-channel); in
 * the app, every session of that user at that provider on every instance (revoked by `sub` in the revocation
 * store); then this browser's cookies. Answers a redirect to the page saying how far it reached.
 */
export async function logoutEverywhere(ctx: TokenContext, request: Request): Promise<Response> {
  const refused = refusedUnlessSameOriginPost(request, ctx.config.appUrl);
  if (refused) return refused;
  const session = await getAuthSession(ctx, request).catch((error: unknown) => {
    if (error instanceof AuthError) return null;
    throw error;
  });
  if (!session) return redirectResponse("/", await destroyAuthSession(ctx, request));

  const { realm, sub } = session.user;
  const provider = ctx.providers.get(realm);
  const outcome = provider?.kind === "keycloak" ? await endAtKeycloak(ctx, request, provider) : "app_only";
  try {
    const keys = revocationKeys(revocationScope(ctx.config, realm), { sub });
    await Promise.all(keys.map((key) => ctx.revocations.revoke(key, orderedNow(), ctx.config.sessionMaxAge)));
  } catch (error) {
    // This browser's session still ends below; the others end when Keycloak's back-channel logouts arrive.
    ctx.log(request, "revocation_store_error", { realm, sub, outcome: "logout_not_recorded", detail: String(error) });
  }
  const headers = await destroyAuthSession(ctx, request);
  ctx.log(request, "logout", { realm, sub, outcome: `everywhere_${outcome}` });
  headers.set("Cache-Control", "no-store");
  headers.set("Location", `${LOGOUT_EVERYWHERE_PATH}?${new URLSearchParams({ outcome, realm })}`);
  return new Response(null, { status: 303, headers });
}

async function endAtKeycloak(ctx: TokenContext, request: Request, provider: Provider): Promise<EverywhereOutcome> {
  let token: AccessToken;
  try {
    token = await getAccessToken(ctx, request);
  } catch (thrown) {
    // Unreachable at renewal; or Keycloak refused the refresh token, so it no longer knows this session.
    return thrown instanceof AuthError && thrown.code === "idp_unreachable" ? "unreachable" : "refused";
  }
  const strategy = await provider.strategy().catch(() => null);
  if (!strategy) return "unreachable";
  const outcome = await endAllKeycloakSessions(strategy.issuer, token.authorization, ctx.config.idpTimeoutMs);
  // Keycloak's Account REST API refuses DPoP-bound tokens whatever the user's roles (26.7.3): not the user's to fix.
  return outcome === "refused" && token.tokenType === "DPoP" ? "app_only" : outcome;
}

/** The data of the page after "sign out of all devices": how far it reached, and where. */
export function logoutEverywherePage(ctx: TokenContext, request: Request) {
  const url = new URL(request.url);
  const outcome = url.searchParams.get("outcome") ?? "";
  const provider = ctx.providers.get(url.searchParams.get("realm") ?? "");
  if (!OUTCOMES.includes(outcome) || !provider) throw new Response("Not found", { status: 404 });
  const view = { outcome: outcome as EverywhereOutcome, provider: provider.label };
  return pageData(view, { headers: { "Cache-Control": "no-store" } });
}
