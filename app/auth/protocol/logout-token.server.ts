import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import { AuthError } from "../core/errors";
import { allowedAlgorithms } from "./jwt.server";

/** Keycloak's logout tokens live 2 minutes; this leaves room for slow delivery. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

export interface LogoutTokenClaims extends JWTPayload {
  iss: string;
  iat: number;
  jti: string;
  sub?: string;
  sid?: string;
}

export interface LogoutTokenExpectations {
  issuer: string;
  clientId: string;
  algorithms: readonly string[];
  clockToleranceSeconds: number;
  /** Older tokens are refused: Keycloak's live 2 minutes. */
  maxAgeSeconds: number;
  currentDate?: Date;
}

/**
 * Validates a logout token per OpenID Connect Back-Channel Logout 1.0, 2.6:
 * signature, iss, aud, iat (not too old), jti, the back-channel event, a sid
 * or sub, and no nonce. Replays (a seen jti) are the caller's to refuse.
 */
export async function validateLogoutToken(
  token: string,
  keys: JWTVerifyGetKey,
  expected: LogoutTokenExpectations,
): Promise<LogoutTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: expected.issuer,
      audience: expected.clientId,
      algorithms: allowedAlgorithms(expected.algorithms),
      clockTolerance: expected.clockToleranceSeconds,
      maxTokenAge: expected.maxAgeSeconds,
      requiredClaims: ["iat", "jti"],
      currentDate: expected.currentDate,
    }));
  } catch (error) {
    // Keys that could not be fetched are the provider's outage, not a bad token: the sender may retry (503).
    if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
      throw new AuthError("idp_unreachable", `keys for the logout token: ${String(error)}`, { cause: error });
    }
    throw new AuthError("invalid_logout_token", `${error.code}: ${error.message}`, { cause: error });
  }
  const refuse = (reason: string) => new AuthError("invalid_logout_token", reason);
  const event = (payload.events as Record<string, unknown> | undefined)?.[BACKCHANNEL_LOGOUT_EVENT];
  if (typeof event !== "object" || event === null || Array.isArray(event))
    throw refuse("events has no back-channel logout event");
  if (typeof payload.jti !== "string" || payload.jti === "") throw refuse("jti is missing");
  if (typeof payload.sid !== "string" && typeof payload.sub !== "string") throw refuse("neither sid nor sub");
  if ("nonce" in payload) throw refuse("a logout token must not have a nonce");
  return payload as LogoutTokenClaims;
}
