// The auth module's one entry: routes and the app import only this file.
// `createAuth(config, { framework, strategies })` builds an instance that owns all state; below it, folders by
// concern, importing one way (npm run shape checks it):
// frameworks (the adapters, imported by the app, never by the module) -> flows -> tokens -> providers ->
// session -> keycloak -> protocol -> http -> core.

export { createAuth, type Auth, type AuthOptions } from "./create-auth.server";
export type { PageLook } from "./flows/end-session-page.server";
// For an adapter of another framework (app/auth/frameworks/ has Remix's and React Router's).
export type { DataKind, DataOf, Framework } from "./http/framework";

// Configuration: the environment adapter, and the types to build one in code.
export { DEV_SESSION_SECRET, parseConfig, type AppConfig, type ProviderConfig } from "./core/config.server";

// What the instance's methods return.
export type { AuthSessionData, SessionUser } from "./session/session-data.server";
export { getIdTokenClaims } from "./session/session.server";
export type { AccessToken } from "./tokens/access-token.server";
export type { StepUp } from "./protocol/step-up";
export type { Provider } from "./providers/registry.server";
export type { AccountAction, AccountActionOutcome, AccountActionStatus } from "./keycloak/account-actions";

// The strategies to extend (docs/EXTENDING.md).
export type { CustomStrategies, LoginResult, StrategyFactory } from "./providers/strategy-factory.server";
export { discover, OIDCStrategy } from "./protocol/oidc-strategy.server";
export type { IdTokenClaims } from "./protocol/jwt.server";
export { KeycloakStrategy } from "./keycloak/keycloak-strategy.server";
export { buildEndSessionUrl } from "./protocol/end-session.server";

// Errors and the words for them, request ids.
export { AuthError, ConfigError, type AuthErrorCode } from "./core/errors";
export { describeAuthError, describeProviderError, type AuthErrorPage } from "./core/error-pages";
export { incomingRequestId, requestId } from "./core/request-id.server";
export { createAuthLog, type AuthLog } from "./core/log.server";
