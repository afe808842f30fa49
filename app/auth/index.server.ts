// The auth module's one entry: routes and the app import only this file.
// Below it, folders by concern, importing one way (npm run shape checks it):
// flows -> tokens -> providers -> session -> keycloak -> protocol -> http -> core.

// Routes: login, callback, logout, the provider's way back, back-channel logout, health.
export { completeLogin, loginOptions, startLogin } from "./flows/login.server";
export { completeLogout, logout, logoutIncompletePage, retryProviderLogout } from "./flows/logout.server";
export { handleBackchannelLogout } from "./flows/backchannel.server";
export { healthCheck } from "./flows/health.server";

// The signed-in user and the session.
export {
  getAuthSession,
  getIdTokenClaims,
  getUser,
  requireAuthSession,
  staleAuthSessionHeaders,
  type AuthSessionData,
  type SessionUser,
} from "./session/session.server";

// Calling APIs as the user, and roles.
export { fetchUserinfo, getAccessToken, type AccessToken } from "./tokens/access-token.server";
export { getRoles, requireRole, roleNaming } from "./tokens/roles.server";

// Providers, and the strategies to extend (docs/EXTENDING.md).
export { getProvider, listProviders, type Provider } from "./providers/registry.server";
export { customStrategies, type LoginResult, type StrategyFactory } from "./providers/custom-strategies.server";
export { publicJwks } from "./providers/client-keys.server";
export { discover, OIDCStrategy } from "./protocol/oidc-strategy.server";
export { KeycloakStrategy } from "./keycloak/keycloak-strategy.server";
export { buildEndSessionUrl } from "./protocol/end-session.server";

// Configuration, errors and the words for them, request ids.
export { DEV_SESSION_SECRET, getConfig, type AppConfig, type ProviderConfig } from "./core/config.server";
export { AuthError, ConfigError, type AuthErrorCode } from "./core/errors";
export { describeAuthError, describeProviderError, type AuthErrorPage } from "./core/error-pages";
export { incomingRequestId, requestId } from "./core/request-id.server";
