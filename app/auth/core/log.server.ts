import { requestId } from "./request-id.server";

export type AuthEvent =
  | "login"
  | "login_failed"
  | "logout"
  | "account_action"
  | "backchannel_logout"
  | "frontchannel_logout"
  | "revocation_store_error"
  | "token_refresh"
  | "session_check"
  | "access_denied"
  | "session_tokens_dropped"
  | "session_store_error";

export interface AuthEventFields {
  realm: string;
  outcome: string;
  sub?: string;
  /** Who signed in, as the user is shown (a login's line). */
  username?: string;
  /** An AuthError code. */
  code?: string;
  /** Safe detail: never a token, a code, a cookie or a secret. */
  detail?: string;
}

/** Writes one line per authentication event. */
export type AuthLog = (request: Request, event: AuthEvent, fields: AuthEventFields) => void;

/**
 * One line per authentication event, on stdout unless `write` says otherwise. In production a JSON line with
 * the request's id (the proxy's `X-Request-Id`, or one of ours, also sent back in `X-Request-Id`), so it can
 * be joined with the proxy's access log; in development a short line a person reads next to remix-serve's own.
 */
export function createAuthLog(production: boolean, write: (line: string) => void = console.log): AuthLog {
  return (request, event, fields) => {
    const entry = { time: new Date().toISOString(), event, ...fields, requestId: requestId(request) };
    write(production ? JSON.stringify(entry) : readableLine(entry));
  };
}

/** e.g. `14:03:09 login demo: success sub=2f1c…`; the request id is left out, as in remix-serve's lines. */
export function readableLine({
  time,
  event,
  realm,
  outcome,
  requestId: _id,
  ...rest
}: AuthEventFields & { time: string; event: string; requestId?: string }): string {
  const extras = Object.entries(rest)
    .filter(([, value]) => value !== undefined)
    // Control characters escaped: a value (a username) with a newline cannot fake a line of its own.
    .map(([name, value]) => `${name}=${String(value).replace(CONTROL, (c) => JSON.stringify(c).slice(1, -1))}`);
  return [`${time.slice(11, 19)} ${event} ${realm}: ${outcome}`, ...extras].join(" ");
}

// Escaping control characters is this pattern's job.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
