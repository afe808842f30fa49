/** Short (or IDP_TIMEOUT_MS if shorter): the user is waiting, and any answer at all is enough. */
const PROBE_TIMEOUT_MS = 2_000;

/** Whether the provider of `issuer` answers just now. */
export type ReachabilityCheck = (issuer: string) => Promise<boolean>;

/**
 * Whether the provider answers, asked just before the browser is sent there
 * (login, logout, retry): with discovery cached, nothing else would notice a
 * provider that is down, and the user would land on the browser's own "This
 * site can't be reached". One GET of the discovery document (served by the
 * provider itself, no side effects) with a short timeout; `false` when it
 * cannot be reached or answers 5xx.
 */
export function createReachabilityCheck(idpTimeoutMs: number): ReachabilityCheck {
  const probesInFlight = new Map<string, Promise<boolean>>();
  // Requests that arrive while a probe is under way share its answer (a burst of logouts costs one probe);
  // no answer is kept once it has arrived, so a provider that just went down is noticed by the next request.
  return (issuer) => {
    let probe = probesInFlight.get(issuer);
    if (!probe) {
      probe = askDiscovery(issuer, Math.min(PROBE_TIMEOUT_MS, idpTimeoutMs)).finally(() =>
        probesInFlight.delete(issuer),
      );
      probesInFlight.set(issuer, probe);
    }
    return probe;
  };
}

async function askDiscovery(issuer: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`, {
      headers: { Accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.status < 500;
  } catch {
    return false;
  }
}
