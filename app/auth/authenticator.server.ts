import { Authenticator } from "remix-auth";
import { getConfig, type ProviderConfig } from "./config.server";
import { KeycloakStrategy } from "./keycloak.server";
import { OIDCStrategy } from "./oidc-strategy.server";
import { customStrategies } from "./providers.server";
import type { AuthSessionData } from "./session.server";

/** What a successful login yields: the session to store. */
export type LoginResult = Omit<AuthSessionData, "createdAt">;

/**
 * Builds the strategy of one provider from the options derived from its
 * configuration. Add one to `customStrategies` to customise a provider in code.
 */
export type StrategyFactory = (
  options: OIDCStrategy.Options,
  verify: OIDCStrategy.VerifyFunction<LoginResult>,
  provider: ProviderConfig,
) => OIDCStrategy<LoginResult>;

export interface Provider {
  name: string;
  label: string;
  strategy: OIDCStrategy<LoginResult>;
}

let registry: { authenticator: Authenticator<LoginResult>; providers: Map<string, Provider> } | undefined;

/** The provider `name`, or `null`: names come from URLs and sessions, so unknown ones are expected. */
export function getProvider(name: string): Provider | null {
  return getRegistry().providers.get(name) ?? null;
}

/** Every provider, in configuration order: the login picker lists them. */
export function listProviders(): Provider[] {
  return [...getRegistry().providers.values()];
}

export function getAuthenticator(): Authenticator<LoginResult> {
  return getRegistry().authenticator;
}

/** One Authenticator, one strategy per configured provider, registered under the provider's name. */
function getRegistry() {
  if (registry) return registry;
  const config = getConfig();
  const authenticator = new Authenticator<LoginResult>();
  const providers = new Map<string, Provider>();
  for (const provider of config.providers) {
    const options: OIDCStrategy.Options = {
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      redirectURI: `${config.appUrl}/auth/${provider.name}/callback`,
      cookieName: `oidc:${provider.name}`,
      timeoutMs: config.idpTimeoutMs,
      logoutMethod: provider.logoutMethod,
    };
    const verify: OIDCStrategy.VerifyFunction<LoginResult> = async ({ idToken, claims, profile }) => ({
      idToken,
      user: { realm: provider.name, sub: claims.sub, sid: claims.sid, ...profile },
    });
    const factory = customStrategies[provider.name] ?? defaultFactory;
    const strategy = factory(options, verify, provider);
    authenticator.use(strategy, provider.name);
    providers.set(provider.name, { name: provider.name, label: provider.label, strategy });
  }
  for (const name of Object.keys(customStrategies)) {
    if (!providers.has(name)) console.warn(`customStrategies.${name} is unused: no realm or provider is named "${name}"`);
  }
  registry = { authenticator, providers };
  return registry;
}

const defaultFactory: StrategyFactory = (options, verify, provider) =>
  provider.kind === "keycloak"
    ? new KeycloakStrategy({ ...options, url: provider.keycloakUrl!, realm: provider.name }, verify)
    : new OIDCStrategy(options, verify);
