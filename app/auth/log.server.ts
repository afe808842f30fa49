import { requestId } from "./request-id.server";

export type AuthEvent =
  | "login"
  | "login_failed"
  | "logout"
  | "backchannel_logout"
  | "revocation_store_error"
  | "token_refresh"
  | "access_denied"
  | "session_tokens_dropped"
  | "session_store_error";

export interface AuthEventFields {
  realm: string;
  outcome: string;
  sub?: string;
  /** An AuthError code. */
  code?: string;
  /** Safe detail: never a token, a code, a cookie or a secret. */
  detail?: string;
}

/**
 * One JSON line per authentication event on stdout, with the request's id (the
 * proxy's `X-Request-Id`, or one of ours, also sent back in `X-Request-Id`),
 * so it can be joined with the proxy's access log.
 */
export function logAuthEvent(request: Request, event: AuthEvent, fields: AuthEventFields): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields, requestId: requestId(request) }));
}
