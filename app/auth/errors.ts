/**
 * The few ways authentication can fail. Each code maps to one status and one
 * safe message in `describeAuthError`; the `detail` is for the log only.
 */
export type AuthErrorCode =
  | "unknown_realm"
  | "state_mismatch"
  | "idp_error"
  | "idp_unreachable"
  | "token_exchange_failed"
  | "invalid_id_token"
  | "invalid_logout_token"
  | "clock_skew"
  | "session_too_large";

export class AuthError extends Error {
  override name = "AuthError";
  readonly code: AuthErrorCode;
  /** For the server log: never shown to the user, never a token or a code. */
  readonly detail: string;

  constructor(code: AuthErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.code = code;
    this.detail = detail;
  }
}

export class ConfigError extends Error {
  override name = "ConfigError";
  /** One line per bad variable, each naming it. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

export interface AuthErrorPage {
  status: number;
  title: string;
  message: string;
  /** The retry link's text, when "Try again" would not say what it does. */
  retryLabel?: string;
}

const pages: Record<AuthErrorCode, AuthErrorPage> = {
  unknown_realm: {
    status: 404,
    title: "Unknown sign-in realm",
    message: "There is no sign-in realm with that name.",
  },
  state_mismatch: {
    status: 400,
    title: "This sign-in link has expired",
    message:
      "The sign-in attempt could not be matched to this browser. It may have expired, been used already, or been started in another browser.",
  },
  idp_error: {
    status: 400,
    title: "Sign-in was not completed",
    message: "The identity provider did not complete the sign-in.",
  },
  idp_unreachable: {
    status: 503,
    title: "The identity provider is unreachable",
    message: "We could not reach the identity provider. Please try again in a moment.",
  },
  token_exchange_failed: {
    status: 400,
    title: "Sign-in could not be completed",
    message: "The identity provider refused to complete the sign-in. Please start again.",
  },
  invalid_id_token: {
    status: 400,
    title: "Sign-in could not be verified",
    message: "The identity provider's answer could not be verified. Please start again.",
  },
  invalid_logout_token: {
    status: 400,
    title: "Invalid logout token",
    message: "The logout token was refused.",
  },
  clock_skew: {
    status: 503,
    title: "The clocks of this app and the identity provider differ",
    message:
      "Sign-in was refused because this server's clock and the identity provider's differ by more than two minutes. The administrator needs to synchronise them (NTP).",
  },
  session_too_large: {
    status: 400,
    title: "Your account has too many groups to sign in here",
    message:
      "The identity provider sent more data about your account than this app can keep in its session cookie, usually because the account is in very many groups. An administrator can fix this in Keycloak: in this app's client, turn off \"Add to ID token\" on the group membership mapper, or move that mapper to an optional client scope. You can sign in with another account meanwhile.",
    retryLabel: "Sign in with another account",
  },
};

export function describeAuthError(code: AuthErrorCode): AuthErrorPage {
  return pages[code];
}
