import { data } from "@remix-run/node";
import { getAuthenticator, getProvider, listProviders } from "./authenticator.server";
import { getConfig } from "./config.server";
import { parseCookieHeader, serializeCookie } from "./cookies.server";
import { AuthError, describeAuthError } from "./errors";
import { logAuthEvent } from "./log.server";
import { providerAnswers } from "./reachability.server";
import { sanitizeReturnTo } from "./return-to";
import { createUserSession } from "./session.server";

const RETURN_TO_COOKIE = "oidc-return-to";
const callbackPath = (realm: string) => `/auth/${realm}/callback`;

/** Redirects to the realm's provider; `?returnTo=` is kept, sanitized, for the way back. */
export async function startLogin(request: Request, realm: string): Promise<Response | LoginFailure> {
  const provider = getProvider(realm);
  if (!provider) return unknownRealm(request, realm);
  // With discovery cached, nothing else would notice a provider that is down before the browser does.
  if (!(await providerAnswers(provider.strategy.issuer))) {
    return failure(request, realm, new AuthError("idp_unreachable", "the provider did not answer the reachability check"), new Headers());
  }
  const url = new URL(request.url);
  const returnTo = sanitizeReturnTo(url.searchParams.get("returnTo"));
  // Without its query, so the base class never mistakes a stray `state` for a callback.
  const loginRequest = new Request(new URL(url.pathname, url), { headers: request.headers });
  try {
    await getAuthenticator().authenticate(realm, loginRequest);
  } catch (thrown) {
    if (thrown instanceof Response) {
      thrown.headers.append("Set-Cookie", returnToCookie(realm, encodeURIComponent(returnTo), 300));
      noStore(thrown.headers);
      return thrown;
    }
    if (thrown instanceof AuthError) return failure(request, realm, thrown, new Headers());
    throw thrown;
  }
  throw new Error(`strategy ${realm} did not redirect to the provider`);
}

/** Completes the login at the callback: a session and a redirect back, or a failure page. */
export async function completeLogin(request: Request, realm: string): Promise<Response | LoginFailure> {
  const provider = getProvider(realm);
  if (!provider) return unknownRealm(request, realm);

  const headers = new Headers();
  for (const cookie of provider.strategy.clearStateCookies(request)) headers.append("Set-Cookie", cookie);
  const returnTo = readReturnTo(request);
  headers.append("Set-Cookie", returnToCookie(realm, "", 0));
  // Without a `state` (or an empty one) the base class would start a new login: a callback never does.
  if (!new URL(request.url).searchParams.get("state")) {
    return failure(request, realm, new AuthError("state_mismatch", "callback without state"), headers);
  }

  try {
    const result = await getAuthenticator().authenticate(realm, request);
    const response = createUserSession(request, result, returnTo, noStore(headers));
    logAuthEvent(request, "login", { realm, sub: result.user.sub, outcome: "success" });
    return response;
  } catch (thrown) {
    if (thrown instanceof AuthError) return failure(request, realm, thrown, headers);
    throw thrown;
  }
}

/** Where each provider's login starts, keeping a sanitized `?returnTo=`; the default provider first. */
export function loginOptions(request: Request): { name: string; label: string; href: string }[] {
  const returnTo = sanitizeReturnTo(new URL(request.url).searchParams.get("returnTo"));
  const query = returnTo === "/" ? "" : `?${new URLSearchParams({ returnTo })}`;
  return listProviders().map(({ name, label }) => ({ name, label, href: `/auth/${name}/login${query}` }));
}

type LoginFailure = ReturnType<typeof failure>;

/** The failure page's data, with its status; the IdP's own words go to the log only. */
function failure(request: Request, realm: string, error: AuthError, headers: Headers, retryUrl = `/auth/${realm}/login`) {
  logAuthEvent(request, "login_failed", { realm, outcome: "failure", code: error.code, detail: error.detail });
  const { status, title, message } = describeAuthError(error.code);
  return data({ error: { title, message, retryUrl } }, { status, headers: noStore(headers) });
}

function unknownRealm(request: Request, realm: string) {
  const error = new AuthError("unknown_realm", `no strategy named ${JSON.stringify(realm.slice(0, 64))}`);
  return failure(request, "-", error, new Headers(), "/login");
}

/** The callback URL carries a code: keep it out of caches and Referer headers. */
function noStore(headers: Headers): Headers {
  headers.set("Cache-Control", "no-store");
  headers.set("Referrer-Policy", "no-referrer");
  return headers;
}

function readReturnTo(request: Request): string {
  const value = parseCookieHeader(request.headers.get("Cookie")).get(RETURN_TO_COOKIE);
  if (!value) return "/";
  try {
    return sanitizeReturnTo(decodeURIComponent(value));
  } catch {
    return "/";
  }
}

function returnToCookie(realm: string, value: string, maxAge: number): string {
  return serializeCookie(RETURN_TO_COOKIE, value, {
    path: callbackPath(realm),
    secure: getConfig().secureCookies,
    maxAge,
  });
}
