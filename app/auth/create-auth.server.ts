import { deepFreeze, type AppConfig } from "./core/config.server";
import { checkConfig } from "./core/config-schema.server";
import { createAuthLog, type AuthLog } from "./core/log.server";
import { answeringAuthErrors } from "./http/error-response.server";
import type { DataKind, DataOf, Framework, PageData } from "./http/framework";
import { handleBackchannelLogout } from "./flows/backchannel.server";
import type { PageLook } from "./flows/end-session-page.server";
import { handleFrontchannelLogout } from "./flows/frontchannel.server";
import { createHealthCheck } from "./flows/health.server";
import { completeLogin, loginOptions, startAccountAction, startLogin } from "./flows/login.server";
import { readAccountActionOutcome, type AccountAction } from "./keycloak/account-actions";
import {
  completeLogout,
  completeLogoutPage,
  logout,
  logoutIncompletePage,
  retryProviderLogout,
} from "./flows/logout.server";
import { logoutEverywhere, logoutEverywherePage } from "./flows/logout-everywhere.server";
import { publicJwks } from "./providers/client-keys.server";
import { anticipateProviderVisit, createProviderContext } from "./providers/context.server";
import type { CustomStrategies } from "./providers/strategy-factory.server";
import type { StepUp } from "./protocol/step-up";
import { createSessionContext } from "./session/context.server";
import { getAccessToken } from "./tokens/access-token.server";
import { fetchUserinfo } from "./tokens/userinfo.server";
import { createTokenContext } from "./tokens/context.server";
import { requireRecentLogin } from "./tokens/recent-login.server";
import { getRoles, requireRole, roleNaming } from "./tokens/roles.server";
import {
  getCheckedSession,
  getCheckedUser,
  requireCheckedSession,
  sessionHeaders,
} from "./tokens/session-check.server";

export interface AuthOptions<Kind extends DataKind = DataKind> {
  /**
   * The web framework's adapter: `remix` from `./frameworks/remix.server`, `reactRouter` from
   * `./frameworks/react-router.server`. Pages' data goes back to routes as its `data()` values.
   */
  framework: Framework<Kind>;
  /** Strategies of your own, by provider name (docs/EXTENDING.md); every other provider gets the default. */
  strategies?: CustomStrategies;
  /** Where authentication events go, one line each; by default stdout (JSON in production). */
  log?: AuthLog;
  /** The look of the pages the module renders itself: the form that posts a logout to the provider, the signed-out page. */
  look?: PageLook;
}

/**
 * One auth instance: `config` (from `parseConfig(process.env)`, or built in code) and every piece of state
 * it keeps: the providers and their discovery, the revocation store, the session store, token renewals in
 * flight, reachability probes, caches. Instances share nothing: two configurations can serve side by side.
 * Routes call its methods; an AuthError thrown below becomes its error page here. Throws a ConfigError when
 * `config` does not hold what every configuration must (one built in code, say).
 */
export function createAuth<Kind extends DataKind>(
  given: AppConfig,
  { framework, strategies = {}, log, look = {} }: AuthOptions<Kind>,
) {
  // The instance's own frozen copy: a caller changing its object later cannot change the instance under it.
  const config = deepFreeze(structuredClone(checkConfig(given)));
  const dataOf = <Page extends PageData<unknown>>({ page, init }: Page): DataOf<Kind, Page["page"]> =>
    framework.data(page, init);
  const toData = <Page extends PageData<unknown>>(result: Response | Page) =>
    result instanceof Response ? result : dataOf(result);
  const sessions = createSessionContext(config, log ?? createAuthLog(config.production));
  const ctx = { ...createTokenContext(createProviderContext(sessions, strategies)), look };
  const { providers } = ctx;
  return {
    config,

    // Routes: login, callback, logout, the provider's way back, back- and front-channel logout, health, client keys.
    startLogin: async (request: Request, realm: string) => toData(await startLogin(ctx, request, realm)),
    completeLogin: async (request: Request, realm: string) => toData(await completeLogin(ctx, request, realm)),
    loginOptions: (request: Request) => loginOptions(ctx, request),
    /** A POST from the app's page: the Keycloak account action (`kc_action`), back to `returnTo` with its outcome. */
    startAccountAction: answeringAuthErrors(framework, (request: Request, action: AccountAction, returnTo?: string) =>
      startAccountAction(ctx, request, action, returnTo),
    ),
    /** The outcome of the account action just done, to show once, and the `headers` that forget it. */
    accountActionOutcome: (request: Request) => readAccountActionOutcome(request, config.secureCookies),
    logout: (request: Request) => logout(ctx, request),
    retryProviderLogout: (request: Request, realm: string) => retryProviderLogout(ctx, request, realm),
    completeLogout: async (request: Request) => dataOf(await completeLogout(ctx, request)),
    /** `completeLogout` as a whole page of the module's own (a resource route's answer): light and script-free. */
    completeLogoutPage: (request: Request) => completeLogoutPage(ctx, request),
    logoutIncompletePage: (request: Request) => dataOf(logoutIncompletePage(ctx, request)),
    /** "Sign out of all devices": every session of the user, at Keycloak and in the app. */
    logoutEverywhere: (request: Request) => logoutEverywhere(ctx, request),
    logoutEverywherePage: (request: Request) => dataOf(logoutEverywherePage(ctx, request)),
    handleBackchannelLogout: (request: Request, realm: string) => handleBackchannelLogout(ctx, request, realm),
    /** The provider's logout page frames it: ends the session its `sid` names, no cookie needed. */
    handleFrontchannelLogout: (request: Request, realm: string) => handleFrontchannelLogout(ctx, request, realm),
    healthCheck: createHealthCheck(providers),
    publicJwks: () => publicJwks(config.providers),

    // The signed-in user and the session, checked with the provider every `sessionCheckInterval` seconds.
    getAuthSession: answeringAuthErrors(framework, (request: Request) => getCheckedSession(ctx, request)),
    getUser: answeringAuthErrors(framework, (request: Request) => getCheckedUser(ctx, request)),
    requireAuthSession: answeringAuthErrors(framework, (request: Request) => requireCheckedSession(ctx, request)),
    /**
     * Step-up: the session, when its login is recent enough (by default STEP_UP_MAX_AGE) and at the level asked
     * (`acr`); else the redirect that has the provider sign the user in again (`max_age`, `acr_values`) and back.
     */
    requireRecentLogin: answeringAuthErrors(framework, (request: Request, stepUp?: StepUp) =>
      requireRecentLogin(ctx, request, stepUp),
    ),
    /** The `Set-Cookie` headers every page that reads the session sends: stale cookies deleted, renewed tokens saved. */
    staleAuthSessionHeaders: answeringAuthErrors(framework, (request: Request) => sessionHeaders(ctx, request)),

    // Calling APIs as the user, and roles.
    getAccessToken: answeringAuthErrors(framework, (request: Request, options?: { forceRefresh?: boolean }) =>
      getAccessToken(ctx, request, options),
    ),
    fetchUserinfo: answeringAuthErrors(framework, (request: Request) => fetchUserinfo(ctx, request)),
    getRoles: answeringAuthErrors(framework, (request: Request) => getRoles(ctx, request)),
    requireRole: answeringAuthErrors(framework, (request: Request, role: string) => requireRole(ctx, request, role)),
    roleNaming: (provider: string) => roleNaming(ctx, provider),

    // Providers.
    /** For a page with a "Log in" (`user` null) or "Log out" button: the provider's reachability, learnt ahead. */
    anticipateProviderVisit: (user: { realm: string } | null) => anticipateProviderVisit(ctx, user),
    getProvider: (name: string) => providers.get(name),
    listProviders: () => providers.list(),

    /** Closes the Redis connection, if one was made (tests, a server that stops gracefully). */
    close: async () => {
      await ctx.redis?.close();
    },
  };
}

export type Auth<Kind extends DataKind = DataKind> = ReturnType<typeof createAuth<Kind>>;
