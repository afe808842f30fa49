import { createHash } from "node:crypto";
import { AuthError } from "../core/errors";
import { sessionTokens, type SessionTokens } from "../session/token-set";
import type { TokenContext } from "./context.server";
import { refreshAcrossInstances } from "./refresh-coordination.server";

type TokenResponse = { access_token: string; refresh_token?: string; expires_in?: number };

/**
 * New tokens for a session's refresh token, renewed once however many requests ask. Requests of one session
 * that arrive together share one renewal; requests still carrying the old cookie shortly after get its result
 * too, instead of sending the rotated-away refresh token again (which Keycloak and oidc-provider treat as a
 * stolen token, ending the whole session). With REDIS_URL, across instances too. `refused`: the access
 * token an API just refused, which a kept result must not hand out again.
 */
export function refreshOnce(
  ctx: TokenContext,
  realm: string,
  tokens: SessionTokens,
  refused: string | undefined,
  refresh: () => Promise<TokenResponse>,
  onStoreError: (error: unknown) => void,
): Promise<SessionTokens> {
  const key = `${realm}:${createHash("sha256").update(tokens.refreshToken!).digest("base64url")}`;
  const known = ctx.renewals.get(key);
  if (known) return known.then((fresh) => (fresh.accessToken === refused ? start() : fresh));
  return start();

  function start() {
    const { redis, config } = ctx;
    const run = () => refresh().then((response) => sessionTokens(response, Date.now() / 1000, tokens));
    const result = redis
      ? refreshAcrossInstances(key, run, {
          redis,
          secrets: config.sessionSecrets,
          waitMs: 2 * config.idpTimeoutMs,
          onStoreError,
        })
      : run();
    // Kept while in flight (a TTL of 0 is none), then for a minute from when it settles.
    ctx.renewals.set(key, result, { ttl: 0 });
    const settled = () => {
      if (ctx.renewals.peek(key) === result) ctx.renewals.set(key, result);
    };
    result.then(settled, (error: unknown) => {
      // Only a refused refresh token is final; after a network failure the next request tries again.
      if (error instanceof AuthError && error.code === "session_ended") settled();
      else if (ctx.renewals.peek(key) === result) ctx.renewals.delete(key);
    });
    return result;
  }
}
