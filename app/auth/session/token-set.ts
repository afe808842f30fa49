import { isDpopKey, type DpopKey } from "../protocol/dpop.server";

/** The tokens a session keeps to call APIs as the user. */
export interface SessionTokens {
  accessToken: string;
  /** Absent when the provider issued none: the access token then cannot be renewed. */
  refreshToken?: string;
  /** Seconds since the epoch; absent when the provider did not say (`expires_in`). */
  expiresAt?: number;
  /**
   * Seconds since the epoch when the provider issued these tokens (login or renewal): the last time it said
   * the session lives. Absent in sessions made before the app kept it.
   */
  checkedAt?: number;
  /** The key the provider bound these tokens to (DPoP): every request with them needs a proof signed with it. */
  dpopKey?: DpopKey;
}

/**
 * The tokens of a token endpoint response (a code or refresh grant, bound to `dpopKey` if any); `previous` keeps
 * a refresh token the response did not rotate, and its DPoP key.
 */
export function sessionTokens(
  response: { access_token: string; refresh_token?: string; expires_in?: number },
  nowSeconds: number,
  previous?: SessionTokens,
  dpopKey = previous?.dpopKey,
): SessionTokens {
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  return {
    accessToken: response.access_token,
    ...(refreshToken && { refreshToken }),
    ...(typeof response.expires_in === "number" && { expiresAt: Math.floor(nowSeconds) + response.expires_in }),
    checkedAt: Math.floor(nowSeconds),
    ...(dpopKey && { dpopKey }),
  };
}

/** Renew a little before expiry, so the token does not expire on its way to the API. */
export const REFRESH_MARGIN_SECONDS = 30;

/** Whether the access token is expired or will be within the margin; a token of unknown expiry is used until an API refuses it. */
export function needsRefresh(
  tokens: SessionTokens,
  nowSeconds: number,
  marginSeconds = REFRESH_MARGIN_SECONDS,
): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - nowSeconds <= marginSeconds;
}

/**
 * Whether the provider should be asked again whether the session lives: its last word is `intervalSeconds`
 * old (`0`: never). Only a refresh token can ask; a session without one is never due.
 */
export function checkDue(tokens: SessionTokens | null | undefined, nowSeconds: number, intervalSeconds: number) {
  return intervalSeconds > 0 && !!tokens?.refreshToken && (tokens.checkedAt ?? 0) + intervalSeconds <= nowSeconds;
}

export function isSessionTokens(value: unknown): value is SessionTokens {
  if (typeof value !== "object" || value === null) return false;
  const { accessToken, refreshToken, expiresAt, checkedAt, dpopKey } = value as Partial<SessionTokens>;
  return (
    typeof accessToken === "string" &&
    (dpopKey === undefined || isDpopKey(dpopKey)) &&
    (refreshToken === undefined || typeof refreshToken === "string") &&
    (expiresAt === undefined || typeof expiresAt === "number") &&
    (checkedAt === undefined || typeof checkedAt === "number")
  );
}
