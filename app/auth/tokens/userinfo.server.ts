import type { UserInfoResponse } from "oauth4webapi";
import { AuthError } from "../core/errors";
import { requireAuthSession } from "../session/session.server";
import { currentTokens, getAccessToken, introspectOnce, strategyOf, type AccessToken } from "./access-token.server";
import type { TokenContext } from "./context.server";

/** What the userinfo API answered, or the AuthError of a call that failed (the page can still show the rest). */
export type UserinfoResult =
  | { userinfo: UserInfoResponse; error: null; headers: Headers }
  | { userinfo: null; error: AuthError; headers: Headers };

/**
 * The provider's userinfo endpoint called with the access token: an API
 * protected by it. When the API refuses the token (it was revoked), the token
 * is renewed once and the call repeated; a provider that refuses the renewal
 * too ended the session, and the user is sent to log in. A failure of the
 * call, or a provider unreachable at renewal, is returned (the page can show
 * the rest); anything else is thrown like `getAccessToken`'s.
 */
export async function fetchUserinfo(ctx: TokenContext, request: Request): Promise<UserinfoResult> {
  const { user } = await requireAuthSession(ctx, request);
  let token: AccessToken;
  let strategy: Awaited<ReturnType<typeof strategyOf>>;
  try {
    token = await getAccessToken(ctx, request);
    strategy = await strategyOf(ctx, user.realm, token.headers);
  } catch (error) {
    // The provider is down at renewal or at discovery: the session stays, and so can the page, saying why.
    if (error instanceof AuthError && error.code === "idp_unreachable")
      return { userinfo: null, error, headers: error.headers ?? new Headers() };
    throw error;
  }
  let { accessToken, headers } = token;
  const { dpopKey } = (await currentTokens(ctx, request)).tokens;
  const call = () =>
    strategy.userinfo(accessToken, user.sub, dpopKey).catch((error: unknown) => {
      if (error instanceof AuthError) return error;
      throw error;
    });
  let userinfo = await call();
  if (userinfo === null) userinfo = await introspectedUserinfo(ctx, strategy, accessToken, user.sub);
  if (userinfo === null) {
    ({ accessToken, headers } = await getAccessToken(ctx, request, { forceRefresh: true }));
    userinfo = await call();
    if (userinfo === null)
      userinfo = new AuthError("token_exchange_failed", "userinfo refused a freshly renewed access token");
  }
  return userinfo instanceof AuthError
    ? { userinfo: null, error: userinfo, headers }
    : { userinfo, error: null, headers };
}

/**
 * Keycloak refuses lightweight access tokens at userinfo ("Lightweight access token not allowed for userinfo
 * endpoint", 26.7.3): its introspection of the same token, when active and about the same user, carries the
 * same claims. `null`: not active, or no introspection endpoint (then the token is renewed as revoked).
 */
async function introspectedUserinfo(
  ctx: TokenContext,
  strategy: Awaited<ReturnType<typeof strategyOf>>,
  accessToken: string,
  sub: string,
): Promise<UserInfoResponse | null> {
  if (!strategy.metadata.introspection_endpoint) return null;
  try {
    const answer = await introspectOnce(ctx, strategy, accessToken);
    return answer.active === true && answer.sub === sub ? { ...answer, sub } : null;
  } catch (error) {
    if (error instanceof AuthError) return null;
    throw error;
  }
}
