export type AuthEvent = "login" | "login_failed" | "logout" | "backchannel_logout";

export interface AuthEventFields {
  realm: string;
  outcome: string;
  sub?: string;
  /** An AuthError code. */
  code?: string;
  /** Safe detail: never a token, a code, a cookie or a secret. */
  detail?: string;
}

/** One JSON line per authentication event on stdout. */
export function logAuthEvent(event: AuthEvent, fields: AuthEventFields): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
}
