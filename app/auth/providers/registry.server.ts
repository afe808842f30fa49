import { Authenticator } from "remix-auth";
import { importClientKey } from "./client-keys.server";
import { loginCallbackUrl } from "../core/app-urls.server";
import { getConfig, type ProviderConfig } from "../core/config.server";
import { KeycloakStrategy } from "../keycloak/keycloak-strategy.server";
import { discover, OIDCStrategy } from "../protocol/oidc-strategy.server";
import { customStrategies, type LoginResult, type StrategyFactory } from "./custom-strategies.server";
import { sessionTokens } from "../session/token-set";
export type { LoginResult, StrategyFactory };

export interface Provider {
  name: string;
  /** A Keycloak realm, or another OpenID provider. */
  kind: ProviderConfig["kind"];
  label: string;
  /**
   * Its strategy, built from the provider's discovery document on first use.
   * Throws an AuthError `idp_unreachable` (or `issuer_mismatch`) when discovery fails; the next call tries again.
   */
  strategy(): Promise<OIDCStrategy<LoginResult>>;
  /** Fetches the discovery document once now (the first call builds the strategy from it); throws like `strategy()`. */
  checkDiscovery(): Promise<void>;
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

/** The Authenticator; a provider's strategy is registered in it under the provider's name once discovered. */
export function getAuthenticator(): Authenticator<LoginResult> {
  return getRegistry().authenticator;
}

function getRegistry() {
  if (registry) return registry;
  const authenticator = new Authenticator<LoginResult>();
  const providers = new Map<string, Provider>();
  for (const config of getConfig().providers) {
    let strategy: Promise<OIDCStrategy<LoginResult>> | undefined;
    const discovered = () =>
      (strategy ??= createStrategy(config).then(
        (created) => {
          authenticator.use(created, config.name);
          return created;
        },
        (error: unknown) => {
          strategy = undefined;
          throw error;
        },
      ));
    const checkDiscovery = async () => {
      if (!strategy) await discovered();
      else await (await discovered()).checkDiscovery();
    };
    providers.set(config.name, {
      name: config.name,
      kind: config.kind,
      label: config.label,
      strategy: discovered,
      checkDiscovery,
    });
  }
  for (const name of Object.keys(customStrategies)) {
    if (!providers.has(name))
      console.warn(`customStrategies.${name} is unused: no realm or provider is named "${name}"`);
  }
  registry = { authenticator, providers };
  return registry;
}

async function createStrategy(provider: ProviderConfig): Promise<OIDCStrategy<LoginResult>> {
  const { appUrl, idpTimeoutMs } = getConfig();
  const options: OIDCStrategy.Options = {
    metadata: await discover(provider.issuer, { timeoutMs: idpTimeoutMs }),
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    ...(provider.clientPrivateKey && { clientPrivateKey: await importClientKey(provider.clientPrivateKey) }),
    redirectURI: loginCallbackUrl(appUrl, provider.name),
    cookieName: `oidc:${provider.name}`,
    timeoutMs: idpTimeoutMs,
    logoutMethod: provider.logoutMethod,
  };
  const verify: OIDCStrategy.VerifyFunction<LoginResult> = async ({ idToken, claims, profile, tokens }) => ({
    idToken,
    user: { realm: provider.name, sub: claims.sub, sid: claims.sid, ...profile },
    // Kept to call APIs as the user (access-token.server.ts).
    tokens: sessionTokens(tokens.data as Parameters<typeof sessionTokens>[0], Date.now() / 1000),
  });
  const factory = customStrategies[provider.name] ?? defaultFactory;
  return factory(options, verify, provider);
}

const defaultFactory: StrategyFactory = (options, verify, provider) =>
  provider.kind === "keycloak" ? new KeycloakStrategy(options, verify) : new OIDCStrategy(options, verify);
