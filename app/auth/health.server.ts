import { listProviders } from "./authenticator.server";

/**
 * `/healthz`: `{"status":"ok"}` without touching any provider; with
 * `?deep=1` it also fetches every provider's discovery document and answers
 * 503 when one is unreachable.
 */
export async function healthCheck(request: Request): Promise<Response> {
  const headers = { "Cache-Control": "no-store" };
  if (new URL(request.url).searchParams.get("deep") !== "1") return Response.json({ status: "ok" }, { headers });

  const results = await Promise.all(
    listProviders().map(async ({ name, strategy }) => {
      try {
        await (await strategy()).checkDiscovery();
        return [name, "ok"] as const;
      } catch {
        return [name, "unreachable"] as const;
      }
    }),
  );
  const healthy = results.every(([, result]) => result === "ok");
  return Response.json(
    { status: healthy ? "ok" : "unavailable", providers: Object.fromEntries(results) },
    { status: healthy ? 200 : 503, headers },
  );
}
