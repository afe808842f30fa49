import type { ProviderConfig } from "../core/config.server";
import type { OIDCStrategy } from "../protocol/oidc-strategy.server";
import type { AuthSessionData } from "../session/session-data.server";

/** What a successful login yields: the session to store. */
export type LoginResult = Omit<AuthSessionData, "createdAt">;

/**
 * Builds the strategy of one provider from the options derived from its
 * configuration and its discovery document. Pass one per provider name to
 * `createAuth(config, { strategies })` to customise that provider in code.
 */
export type StrategyFactory = (
  options: OIDCStrategy.Options,
  verify: OIDCStrategy.VerifyFunction<LoginResult>,
  provider: ProviderConfig,
) => OIDCStrategy<LoginResult>;

/**
 * Providers served by a strategy of your own, by name. Every other Keycloak
 * realm (KEYCLOAK_REALMS) uses KeycloakStrategy, and every other provider of
 * OIDC_PROVIDERS uses OIDCStrategy. See docs/EXTENDING.md.
 *
 * @example
 * const strategies: CustomStrategies = {
 *   partner: (options, verify) => new PartnerStrategy(options, verify),
 * };
 */
export type CustomStrategies = Readonly<Record<string, StrategyFactory>>;
