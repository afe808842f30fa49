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
