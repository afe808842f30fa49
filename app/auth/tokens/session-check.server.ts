import { AuthError } from "../core/errors";
import {
  getAuthSession,
  loginRedirect,
  staleAuthSessionHeaders,
  type AuthSessionData,
  type SessionUser,
} from "../session/session.server";
import type { TokenContext } from "./context.server";
import { currentTokens, sessionCheckDue } from "./access-token.server";

// The session as pages read it, checked with the provider every SESSION_CHECK_INTERVAL seconds: a session that
// ended at the provider (idle or max timeout, an admin's sign-out, the user's "sign out all devices" at
// Keycloak) ends here at the next request after that, even when the provider sends no back-channel logout.

/**
 * The request's valid session, or `null`; when its check is due, the provider is asked first (a refresh grant,
 * once per session however many requests ask). Throws a redirect to login (deleting the session's cookies) when
 * the provider ended the session; keeps it when the provider cannot be reached. The renewed tokens' cookies go
 * out with {@link sessionHeaders}: a page that reads the session sends those.
 */
export async function getCheckedSession(ctx: TokenContext, request: Request): Promise<AuthSessionData | null> {
  const session = await getAuthSession(ctx, request);
  // The hot path: one comparison on the session already decoded; nothing at all without a session.
  if (!session || (!ctx.currentTokens.has(request) && !sessionCheckDue(ctx, session, Date.now() / 1000)))
    return session;
  try {
    return (await currentTokens(ctx, request)).session;
  } catch (error) {
    // A renewal that failed for another reason (logged where it failed) leaves the session as it was.
    if (error instanceof AuthError) return session;
    throw error;
  }
}

export async function getCheckedUser(ctx: TokenContext, request: Request): Promise<SessionUser | null> {
  return (await getCheckedSession(ctx, request))?.user ?? null;
}

/** The signed-in, checked session, or a thrown redirect to login that comes back to this page. */
export async function requireCheckedSession(ctx: TokenContext, request: Request): Promise<AuthSessionData> {
  const session = await getCheckedSession(ctx, request);
  if (session) return session;
  throw loginRedirect(request, await staleAuthSessionHeaders(ctx, request));
}

/**
 * The `Set-Cookie` headers a page sends: cookies that hold no valid session deleted, and the session's new
 * tokens when this request renewed them (a check, or an access token). Without them a browser would keep a
 * refresh token the provider has rotated away, and the next renewal would end the session.
 */
export async function sessionHeaders(ctx: TokenContext, request: Request): Promise<Headers> {
  await getCheckedSession(ctx, request);
  const headers = await staleAuthSessionHeaders(ctx, request);
  const renewed = await ctx.currentTokens.get(request)?.catch(() => null);
  for (const cookie of renewed?.headers.getSetCookie() ?? []) headers.append("Set-Cookie", cookie);
  return headers;
}
