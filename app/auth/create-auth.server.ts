import type { AppConfig } from "./core/config.server";
import { checkConfig } from "./core/config-schema.server";
import { createAuthLog, type AuthLog } from "./core/log.server";
import { answeringAuthErrors } from "./http/error-response.server";
import { handleBackchannelLogout } from "./flows/backchannel.server";
import type { PageLook } from "./flows/end-session-page.server";
import { createHealthCheck } from "./flows/health.server";
import { completeLogin, loginOptions, startLogin } from "./flows/login.server";
import { completeLogout, logout, logoutIncompletePage, retryProviderLogout } from "./flows/logout.server";
import { logoutEverywhere, logoutEverywherePage } from "./flows/logout-everywhere.server";
import { publicJwks } from "./providers/client-keys.server";
import { createProviderContext } from "./providers/context.server";
import type { CustomStrategies } from "./providers/strategy-factory.server";
import { createSessionContext } from "./session/context.server";
import { getAuthSession, getUser, requireAuthSession, staleAuthSessionHeaders } from "./session/session.server";
import { fetchUserinfo, getAccessToken } from "./tokens/access-token.server";
import { createTokenContext } from "./tokens/context.server";
import { getRoles, requireRole, roleNaming } from "./tokens/roles.server";

export interface AuthOptions {
  /** Strategies of your own, by provider name (docs/EXTENDING.md); every other provider gets the default. */
  strategies?: CustomStrategies;
  /** Where authentication events go, one line each; by default stdout (JSON in production). */
  log?: AuthLog;
  /** The look of the one page the module renders itself: the form that posts a logout to the provider. */
  look?: PageLook;
}

/**
 * One auth instance: `config` (from `parseConfig(process.env)`, or built in code) and every piece of state
 * it keeps: the providers and their discovery, the revocation store, the session store, token renewals in
 * flight, reachability probes, caches. Instances share nothing: two configurations can serve side by side.
 * Routes call its methods; an AuthError thrown below becomes its error page here. Throws a ConfigError when
 * `config` does not hold what every configuration must (one built in code, say).
 */
export function createAuth(config: AppConfig, { strategies = {}, log, look = {} }: AuthOptions = {}) {
  checkConfig(config);
  const sessions = createSessionContext(config, log ?? createAuthLog(config.production));
  const ctx = { ...createTokenContext(createProviderContext(sessions, strategies)), look };
  const { providers } = ctx;
  return {
    config,

    // Routes: login, callback, logout, the provider's way back, back-channel logout, health, client keys.
    startLogin: (request: Request, realm: string) => startLogin(ctx, request, realm),
    completeLogin: (request: Request, realm: string) => completeLogin(ctx, request, realm),
    loginOptions: (request: Request) => loginOptions(ctx, request),
    logout: (request: Request) => logout(ctx, request),
    retryProviderLogout: (request: Request, realm: string) => retryProviderLogout(ctx, request, realm),
    completeLogout: (request: Request) => completeLogout(ctx, request),
    logoutIncompletePage: (request: Request) => logoutIncompletePage(ctx, request),
    /** "Sign out of all devices": every session of the user, at Keycloak and in the app. */
    logoutEverywhere: (request: Request) => logoutEverywhere(ctx, request),
    logoutEverywherePage: (request: Request) => logoutEverywherePage(ctx, request),
    handleBackchannelLogout: (request: Request, realm: string) => handleBackchannelLogout(ctx, request, realm),
    healthCheck: createHealthCheck(providers),
    publicJwks: () => publicJwks(config.providers),

    // The signed-in user and the session.
    getAuthSession: answeringAuthErrors((request: Request) => getAuthSession(ctx, request)),
    getUser: answeringAuthErrors((request: Request) => getUser(ctx, request)),
    requireAuthSession: answeringAuthErrors((request: Request) => requireAuthSession(ctx, request)),
    staleAuthSessionHeaders: answeringAuthErrors((request: Request) => staleAuthSessionHeaders(ctx, request)),

    // Calling APIs as the user, and roles.
    getAccessToken: answeringAuthErrors((request: Request, options?: { forceRefresh?: boolean }) =>
      getAccessToken(ctx, request, options),
    ),
    fetchUserinfo: answeringAuthErrors((request: Request) => fetchUserinfo(ctx, request)),
    getRoles: answeringAuthErrors((request: Request) => getRoles(ctx, request)),
    requireRole: answeringAuthErrors((request: Request, role: string) => requireRole(ctx, request, role)),
    roleNaming: (provider: string) => roleNaming(ctx, provider),

    // Providers.
    getProvider: (name: string) => providers.get(name),
    listProviders: () => providers.list(),

    /** Closes the Redis connection, if one was made (tests, a server that stops gracefully). */
    close: async () => {
      await ctx.redis?.close();
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
