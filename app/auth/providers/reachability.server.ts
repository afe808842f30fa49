/** Short (or IDP_TIMEOUT_MS if shorter): the user is waiting, and any answer at all is enough. */
const PROBE_TIMEOUT_MS = 2_000;

/** Whether the provider of `issuer` answers just now; `heard` is told of every other request to it. */
export interface ReachabilityCheck {
  (issuer: string): Promise<boolean>;
  /** A request to the provider of `issuer` got an answer (`true`: any status below 500) or none (`false`). */
  heard(issuer: string, answered: boolean): void;
  /**
   * Asks in the background, ahead of a click, unless the provider was heard from (answer or not) less than the
   * window ago: at most one request per window, even to a provider that is down. Nothing with a window of 0.
   */
  ahead(issuer: string): void;
}

/**
 * Whether the provider answers, asked just before the browser is sent there
 * (login, logout, retry): with discovery cached, nothing else would notice a
 * provider that is down, and the user would land on the browser's own "This
 * site can't be reached". A provider that answered any request (discovery,
 * token, refresh, userinfo, a probe) less than `contactWindowMs` ago, and has
 * failed none since, is trusted without asking (docs/decisions/011); otherwise
 * one GET of the discovery document (served by the provider itself, no side
 * effects) with a short timeout; `false` when it cannot be reached or answers
 * 5xx. `contactWindowMs` 0: ask before every login and logout.
 */
export function createReachabilityCheck(idpTimeoutMs: number, contactWindowMs = 0): ReachabilityCheck {
  const probesInFlight = new Map<string, Promise<boolean>>();
  const lastContact = new Map<string, { at: number; answered: boolean }>();
  const heard = (issuer: string, answered: boolean) => lastContact.set(keyOf(issuer), { at: Date.now(), answered });
  // Requests that arrive while a probe is under way share its answer (a burst of logouts costs one probe).
  const check = (issuer: string) => {
    const key = keyOf(issuer);
    const last = lastContact.get(key);
    if (last?.answered && Date.now() - last.at < contactWindowMs) return Promise.resolve(true);
    let probe = probesInFlight.get(key);
    if (!probe) {
      probe = askDiscovery(key, Math.min(PROBE_TIMEOUT_MS, idpTimeoutMs)).then((answered) => {
        probesInFlight.delete(key);
        heard(key, answered);
        return answered;
      });
      probesInFlight.set(key, probe);
    }
    return probe;
  };
  const ahead = (issuer: string) => {
    const last = lastContact.get(keyOf(issuer));
    if (contactWindowMs === 0 || (last && Date.now() - last.at < contactWindowMs)) return;
    void check(issuer);
  };
  return Object.assign(check, { heard, ahead });
}

/** One trailing slash of the issuer dropped: discovery and the configuration may spell it either way. */
const keyOf = (issuer: string) => issuer.replace(/\/$/, "");

async function askDiscovery(issuer: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
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
