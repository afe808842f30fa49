import { LRUCache } from "lru-cache";
import type { ProviderContext } from "../providers/context.server";
import type { AuthSessionData } from "../session/session-data.server";
import type { SessionTokens } from "../session/token-set";

/** This request's session and tokens, and the headers that commit them. */
export interface CurrentTokens {
  session: AuthSessionData;
  tokens: SessionTokens;
  headers: Headers;
}

/** How long a renewal's result is kept for requests still carrying the old cookie. */
export const KEEP_RENEWAL_MS = 60_000;

/** After a session check that failed for another reason than an ended session (the provider unreachable), none for this long. */
export const CHECK_RETRY_SECONDS = 30;

/** The providers and sessions, and the state of token renewal and role checks. */
export interface TokenContext extends ProviderContext {
  /**
   * Renewals in flight or just done, by provider and refresh token (refresh-once.server.ts): in flight until
   * settled, then kept {@link KEEP_RENEWAL_MS}; at most 10,000.
   */
  readonly renewals: LRUCache<string, Promise<SessionTokens>>;
  /**
   * Access token -> its validated claims, so a page's roles cost one signature check per token; and
   * `introspection:` + access token -> the provider's introspection of it (lightweight tokens), one call per token.
   */
  readonly validatedClaims: LRUCache<string, Promise<Record<string, unknown>>>;
  /** Provider -> seconds since the epoch until which no session check is tried (one failed: {@link CHECK_RETRY_SECONDS}). */
  readonly checksPausedUntil: Map<string, number>;
  /** Each request's tokens, the same for every call in one request. */
  readonly currentTokens: WeakMap<Request, Promise<CurrentTokens>>;
}

export function createTokenContext(providers: ProviderContext): TokenContext {
  return {
    ...providers,
    renewals: new LRUCache({ max: 10_000, ttl: KEEP_RENEWAL_MS }),
    validatedClaims: new LRUCache({ max: 1000 }),
    checksPausedUntil: new Map(),
    currentTokens: new WeakMap(),
  };
}
