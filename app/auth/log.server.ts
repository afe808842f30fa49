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
 * One JSON line per authentication event on stdout, with the request id that
 * server.js gives every request (also in its access log line and the
 * `X-Request-Id` response header), so both can be joined.
 */
export function logAuthEvent(request: Request, event: AuthEvent, fields: AuthEventFields): void {
  const requestId = request.headers.get("X-Request-Id") ?? undefined;
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields, requestId }));
}
