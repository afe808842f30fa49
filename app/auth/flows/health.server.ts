import type { ProviderRegistry } from "../providers/registry.server";

/** How long one deep check answers every `/healthz?deep=1`, so that requests cannot multiply discovery fetches. */
const DEEP_RESULT_SECONDS = 5;

type DeepResult = { healthy: boolean; providers: Record<string, "ok" | "unreachable"> };

/**
 * `/healthz`: `{"status":"ok"}` without touching any provider; with
 * `?deep=1` it also fetches every provider's discovery document and answers
 * 503 when one is unreachable. One deep check runs at a time and its result
 * is reused for a few seconds.
 */
export function createHealthCheck(providers: ProviderRegistry): (request: Request) => Promise<Response> {
  let latest: { result: Promise<DeepResult>; expiresAt: number } | undefined;

  /** The check in flight, or the one that ended less than `DEEP_RESULT_SECONDS` ago, or a new one. */
  function sharedDeepCheck(): Promise<DeepResult> {
    if (latest && latest.expiresAt > Date.now()) return latest.result;
    const current = { result: checkEveryProvider(providers), expiresAt: Infinity };
    latest = current;
    void current.result.finally(() => (current.expiresAt = Date.now() + DEEP_RESULT_SECONDS * 1000));
    return current.result;
  }

  return async (request) => {
    const headers = { "Cache-Control": "no-store" };
    if (new URL(request.url).searchParams.get("deep") !== "1") return Response.json({ status: "ok" }, { headers });
    const { healthy, providers: results } = await sharedDeepCheck();
    const status = healthy ? 200 : 503;
    return Response.json({ status: healthy ? "ok" : "unavailable", providers: results }, { status, headers });
  };
}

async function checkEveryProvider(providers: ProviderRegistry): Promise<DeepResult> {
  const results = await Promise.all(
    providers.list().map(async ({ name, checkDiscovery }) => {
      try {
        await checkDiscovery();
        return [name, "ok"] as const;
      } catch {
        return [name, "unreachable"] as const;
      }
    }),
  );
  return { healthy: results.every(([, result]) => result === "ok"), providers: Object.fromEntries(results) };
}
