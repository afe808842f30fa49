import type { SessionContext } from "../session/context.server";
import { createReachabilityCheck, type ReachabilityCheck } from "./reachability.server";
import { createRegistry, type ProviderRegistry } from "./registry.server";
import type { CustomStrategies } from "./strategy-factory.server";

/** The session layer, and the instance's providers. */
export interface ProviderContext extends SessionContext {
  readonly providers: ProviderRegistry;
  /** Whether a provider answers, asked (or known from a recent answer) before the browser is sent there. */
  readonly providerAnswers: ReachabilityCheck;
}

export function createProviderContext(session: SessionContext, strategies: CustomStrategies): ProviderContext {
  const { config } = session;
  const providerAnswers = createReachabilityCheck(config.idpTimeoutMs, config.idpContactWindowMs);
  return { ...session, providers: createRegistry(config, strategies, providerAnswers.heard), providerAnswers };
}

/**
 * The page offers "Log in" (`user` null: every provider) or "Log out" (the user's provider): asks now, in the
 * background, whether the provider answers, when it was not heard from for the window, so that the click finds
 * the answer known instead of waiting for it on the way (docs/decisions/011). A provider not discovered yet is
 * left to the click (its discovery is a contact too).
 */
export function anticipateProviderVisit(ctx: ProviderContext, user: { realm: string } | null): void {
  const providers = user ? [ctx.providers.get(user.realm)] : ctx.providers.list();
  for (const provider of providers) {
    const issuer = provider?.discoveredIssuer();
    if (issuer) ctx.providerAnswers.ahead(issuer);
  }
}
