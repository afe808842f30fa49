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
 * background, whether the provider answers, unless it answered a moment ago, so that the click finds the answer
 * known instead of waiting for it on the way (docs/decisions/011). At most one request per provider per window;
 * nothing with `IDP_CONTACT_WINDOW_MS=0`, where every click asks.
 */
export function anticipateProviderVisit(ctx: ProviderContext, user: { realm: string } | null): void {
  if (ctx.config.idpContactWindowMs === 0) return;
  const providers = user ? [ctx.providers.get(user.realm)] : ctx.providers.list();
  for (const provider of providers) {
    provider?.strategy().then(
      ({ issuer }) => ctx.providerAnswers(issuer),
      () => undefined, // discovery failed: the click will say so
    );
  }
}
