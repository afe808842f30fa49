import { Authenticator } from "remix-auth";
import { importClientKey } from "./client-keys.server";
import { loginCallbackUrl } from "../core/app-urls.server";
import type { AppConfig, ProviderConfig } from "../core/config.server";
import { KeycloakStrategy } from "../keycloak/keycloak-strategy.server";
import { discover, OIDCStrategy } from "../protocol/oidc-strategy.server";
import type { ReachabilityCheck } from "./reachability.server";
import type { CustomStrategies, LoginResult, StrategyFactory } from "./strategy-factory.server";
import { sessionTokens } from "../session/token-set";

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
  /** The issuer, once discovered; `undefined` before. */
  discoveredIssuer(): string | undefined;
  /** Fetches the discovery document once now (the first call builds the strategy from it); throws like `strategy()`. */
  checkDiscovery(): Promise<void>;
}

/** The providers of one auth instance, and the Authenticator their strategies are registered in. */
export interface ProviderRegistry {
  /** The provider `name`, or `null`: names come from URLs and sessions, so unknown ones are expected. */
  get(name: string): Provider | null;
  /** Every provider, in configuration order: the login picker lists them. */
  list(): Provider[];
  /** A provider's strategy is registered in it under the provider's name once discovered. */
  readonly authenticator: Authenticator<LoginResult>;
}

/** `heard` is told of every answer (or none) the provider's strategy and discovery get. */
export function createRegistry(
  config: AppConfig,
  strategies: CustomStrategies,
  heard: ReachabilityCheck["heard"] = () => {},
): ProviderRegistry {
  const authenticator = new Authenticator<LoginResult>();
  const providers = new Map<string, Provider>();
  for (const provider of config.providers) {
    let strategy: Promise<OIDCStrategy<LoginResult>> | undefined;
    let issuer: string | undefined;
    const discovered = () =>
      (strategy ??= createStrategy(config, provider, strategies[provider.name] ?? defaultFactory, heard).then(
        (created) => {
          authenticator.use(created, provider.name);
          issuer = created.issuer;
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
    providers.set(provider.name, {
      name: provider.name,
      kind: provider.kind,
      label: provider.label,
      strategy: discovered,
      discoveredIssuer: () => issuer,
      checkDiscovery,
    });
  }
  for (const name of Object.keys(strategies)) {
    if (!providers.has(name)) console.warn(`strategies.${name} is unused: no realm or provider is named "${name}"`);
  }
  return {
    get: (name) => providers.get(name) ?? null,
    list: () => [...providers.values()],
    authenticator,
  };
}

async function createStrategy(
  { appUrl, idpTimeoutMs }: AppConfig,
  provider: ProviderConfig,
  factory: StrategyFactory,
  heard: ReachabilityCheck["heard"],
): Promise<OIDCStrategy<LoginResult>> {
  const onProviderAnswer = (answered: boolean) => heard(provider.issuer, answered);
  const options: OIDCStrategy.Options = {
    metadata: await discover(provider.issuer, { timeoutMs: idpTimeoutMs, onProviderAnswer }),
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    ...(provider.clientPrivateKey && { clientPrivateKey: await importClientKey(provider.clientPrivateKey) }),
    redirectURI: loginCallbackUrl(appUrl, provider.name),
    cookieName: `oidc:${provider.name}`,
    timeoutMs: idpTimeoutMs,
    onProviderAnswer,
    logoutMethod: provider.logoutMethod,
    dpop: provider.dpop,
  };
  const verify: OIDCStrategy.VerifyFunction<LoginResult> = async ({ idToken, claims, profile, tokens, dpopKey }) => ({
    idToken,
    user: { realm: provider.name, sub: claims.sub, sid: claims.sid, ...profile },
    // Kept to call APIs as the user (access-token.server.ts).
    tokens: sessionTokens(tokens.data as Parameters<typeof sessionTokens>[0], Date.now() / 1000, undefined, dpopKey),
  });
  return factory(options, verify, provider);
}

const defaultFactory: StrategyFactory = (options, verify, provider) =>
  provider.kind === "keycloak" ? new KeycloakStrategy(options, verify) : new OIDCStrategy(options, verify);
