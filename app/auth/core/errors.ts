/**
 * The few ways authentication can fail. Each code shown to a user maps to one
 * status and one safe message in `describeAuthError` (error-pages.ts); the `detail` is for the log only.
 */
export type AuthErrorCode =
  | "unknown_provider"
  | "state_mismatch"
  | "idp_error"
  | "idp_unreachable"
  | "issuer_mismatch"
  | "token_exchange_failed"
  | "client_rejected"
  | "invalid_id_token"
  | "invalid_logout_token"
  | "clock_skew"
  | "step_up_not_met"
  | "session_too_large"
  | "session_ended"
  | "forbidden"
  | "tokens_unavailable"
  | "session_store_unavailable"
  | "account_action_other_user";

export class AuthError extends Error {
  override name = "AuthError";
  readonly code: AuthErrorCode;
  /** For the server log: never shown to the user, never a token or a code. */
  readonly detail: string;
  /** Headers the error's page must still send: the cookies of tokens renewed before the failure. */
  readonly headers: Headers | undefined;
  /** The label of the provider concerned (what people read, not its name), when known: its page names it. */
  readonly providerLabel: string | undefined;

  constructor(
    code: AuthErrorCode,
    detail: string,
    options?: { cause?: unknown; headers?: Headers; providerLabel?: string },
  ) {
    super(`${code}: ${detail}`, { cause: options?.cause });
    this.code = code;
    this.detail = detail;
    this.headers = options?.headers;
    this.providerLabel = options?.providerLabel;
  }

  /** The same error, its page sending `headers` too (and naming the provider by `providerLabel`, when given). */
  withPage({ headers, providerLabel = this.providerLabel }: { headers: Headers; providerLabel?: string }): AuthError {
    return new AuthError(this.code, this.detail, { cause: this.cause, headers, providerLabel });
  }
}

/** One bad variable: its name, and a line for people that names it too. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((problem) => problem.message).join("\n"));
    this.problems = problems;
  }
}
