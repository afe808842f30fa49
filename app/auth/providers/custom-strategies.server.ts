import type { StrategyFactory } from "./registry.server";

/**
 * Providers served by a strategy of your own, by name. Every other Keycloak
 * realm (KEYCLOAK_REALMS) uses KeycloakStrategy, and every other provider of
 * OIDC_PROVIDERS uses OIDCStrategy. See docs/EXTENDING.md.
 *
 * @example
 * export const customStrategies: Record<string, StrategyFactory> = {
 *   partner: (options, verify) => new PartnerStrategy(options, verify),
 * };
 */
export const customStrategies: Record<string, StrategyFactory> = {};
