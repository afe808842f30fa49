import { orderedNow } from "../core/clock";
import { AuthError } from "../core/errors";
import { LOGOUT_TOKEN_MAX_AGE_SECONDS } from "../protocol/logout-token.server";
import type { ProviderContext } from "../providers/context.server";
import { revocationKeys, revocationScope } from "../session/revocation.server";

const MAX_BODY_BYTES = 64 * 1024;

/**
 * `POST /auth/:realm/backchannel-logout` (OpenID Connect Back-Channel Logout
 * 1.0): validates the provider's logout token and records the session it
 * ended, so every app instance treats that session as logged out.
 */
export async function handleBackchannelLogout(
  ctx: ProviderContext,
  request: Request,
  realm: string,
): Promise<Response> {
  const provider = ctx.providers.get(realm);
  if (!provider) return answer(404, "unknown_provider");
  if (!request.headers.get("Content-Type")?.startsWith("application/x-www-form-urlencoded")) {
    return answer(400, "invalid_request", "expected a form-encoded logout_token");
  }
  const body = await readLimited(request, MAX_BODY_BYTES);
  if (body === null) return answer(413, "invalid_request", "body too large");
  const token = new URLSearchParams(body).get("logout_token");
  if (!token) return answer(400, "invalid_request", "missing logout_token");

  const store = ctx.revocations;
  try {
    const claims = await (await provider.strategy()).validateLogoutToken(token);
    // Sessions end within SESSION_MAX_AGE anyway: the record need not outlive them.
    const revocation = {
      keys: revocationKeys(revocationScope(ctx.config, realm), claims.sid ? { sid: claims.sid } : { sub: claims.sub }),
      at: orderedNow(),
      ttlSeconds: ctx.config.sessionMaxAge,
    };
    // One step: a store failing between the replay record and the revocation would refuse the sender's retry.
    if (!(await store.revokeOnce(`${claims.iss}#${claims.jti}`, LOGOUT_TOKEN_MAX_AGE_SECONDS * 2, revocation))) {
      throw new AuthError("invalid_logout_token", "logout token replayed (jti seen before)");
    }
    ctx.log(request, "backchannel_logout", { realm, sub: claims.sub, outcome: "success" });
    return answer(200);
  } catch (error) {
    const refused = error instanceof AuthError && error.code === "invalid_logout_token";
    const detail = error instanceof AuthError ? error.detail : `revocation store: ${String(error)}`;
    ctx.log(request, "backchannel_logout", { realm, outcome: refused ? "refused" : "failure", detail });
    // A bad token is the sender's fault; an unreachable JWKS or store is ours, and worth a retry.
    return refused ? answer(400, "invalid_request", "invalid logout token") : answer(503, "temporarily_unavailable");
  }
}

function answer(status: number, error?: string, description?: string): Response {
  const body = error ? { error, ...(description && { error_description: description }) } : {};
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/** The body as text, or `null` when it is larger than `limit` bytes. */
async function readLimited(request: Request, limit: number): Promise<string | null> {
  if (Number(request.headers.get("Content-Length") ?? 0) > limit) return null;
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
