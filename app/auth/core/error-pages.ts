// What a person reads when authentication fails: page copy, apart from the error codes.
import type { AuthErrorCode } from "./errors";

export interface AuthErrorPage {
  status: number;
  title: string;
  message: string;
  /** The retry link's text, when "Try again" would not say what it does. */
  retryLabel?: string;
}

/** A refused logout token is answered to the provider as JSON (backchannel.server.ts), never shown as a page. */
type PageErrorCode = Exclude<AuthErrorCode, "invalid_logout_token">;

const pages: Record<PageErrorCode, AuthErrorPage> = {
  unknown_provider: {
    status: 404,
    title: "Unknown sign-in provider",
    message: "There is no realm or identity provider with that name to sign in with.",
  },
  state_mismatch: {
    status: 400,
    title: "This sign-in attempt has expired",
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
  // Refused like a mix-up (OpenID Connect Discovery 4.3): this is a set-up to fix, not an outage to wait out.
  issuer_mismatch: {
    status: 502,
    title: "The identity provider answered as another issuer",
    message:
      "The identity provider answered, but under another name (issuer) than this app is set up for, so sign-in was stopped. The administrator needs to check the provider's URL in the app's configuration; npm run doctor names both issuers.",
  },
  // Asked for a fresh sign-in (or a level), the provider answered without one: not accepted silently.
  step_up_not_met: {
    status: 403,
    title: "This page needs a fresh sign-in",
    message:
      "The identity provider signed you in again without confirming it just now (or at the level this page needs), so this page stays closed. Your session is as it was. Try once more; if it keeps happening, the provider may not support asking again (max_age, acr_values).",
    retryLabel: "Sign in again",
  },
  // The provider refused the app's own credentials: no retry helps, and the user did nothing wrong.
  client_rejected: {
    status: 502,
    title: "This app cannot sign anyone in just now",
    message:
      "The identity provider refused this app's own credentials, so the sign-in failed through no fault of yours. Trying again will not help until an administrator fixes the app's settings at the identity provider (npm run doctor names the cause).",
    retryLabel: "Back to home",
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
      'The identity provider sent more data about your account than this app can keep in its session cookie, usually because the account is in very many groups. An administrator can fix this in Keycloak: in this app\'s client, turn off "Add to ID token" on the group membership mapper, or move that mapper to an optional client scope. You can sign in with another account meanwhile.',
    retryLabel: "Sign in with another account",
  },
  // The provider refused the refresh token (its session ended): the user is sent to log in, this page is a fallback.
  session_ended: {
    status: 401,
    title: "Your session has ended",
    message: "Your session at the identity provider has ended. Please sign in again.",
  },
  forbidden: {
    status: 403,
    title: "You do not have access to this page",
    message:
      "Your account does not have the role this page needs. If you should have it, ask an administrator to grant it, then sign out and in again.",
  },
  tokens_unavailable: {
    status: 503,
    title: "This page cannot be shown for your account here",
    message:
      "Your sign-in carries more data than this app can keep in its session cookie, so it cannot call other services on your behalf. The administrator can keep sessions on the server (SESSION_STORE=redis) or send fewer groups in the tokens.",
  },
  session_store_unavailable: {
    status: 503,
    title: "The app cannot reach its session store",
    message:
      "Sessions are kept on a server that does not answer just now. Nothing is lost: please try again in a moment.",
  },
  // An account action (change password) that came back signed in as someone else: the session is not swapped.
  account_action_other_user: {
    status: 409,
    title: "The identity provider answered for another account",
    message:
      "You started this from your account here, but the identity provider came back signed in as another user. This app kept you signed in as before. To use the other account, log out and sign in with it.",
    retryLabel: "Back to your account",
  },
};

export function describeAuthError(code: AuthErrorCode, provider?: string): AuthErrorPage {
  // Named where known, as the logout pages name it: with several providers, "the identity provider" is vague.
  if (code === "idp_unreachable" && provider)
    return { ...pages.idp_unreachable, message: `We could not reach ${provider}. Please try again in a moment.` };
  // Only a verification gone wrong could bring a logout token's code here: say that.
  return code === "invalid_logout_token" ? pages.invalid_id_token : pages[code];
}

type ProviderErrorText = Pick<AuthErrorPage, "title" | "message">;

const REFUSED_REQUEST: ProviderErrorText = {
  title: "The identity provider refused this app's sign-in request",
  message:
    "The app and the identity provider are not set up to work together this way. The administrator finds the details in the server log.",
};
const PROVIDER_BUSY: ProviderErrorText = {
  title: "The identity provider could not sign you in just now",
  message: "It reported a problem on its side. Please try again in a moment.",
};
const NEEDS_YOU: ProviderErrorText = {
  title: "The identity provider needs you to sign in again",
  message: "It could not complete the sign-in without asking you. Start again and follow its steps.",
};

/** What the `error` a provider sent back to the callback means (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6). */
const providerErrors: Record<string, ProviderErrorText> = {
  access_denied: {
    title: "You cancelled the sign-in",
    message: "The sign-in was cancelled or declined at the identity provider, so you are not signed in.",
  },
  temporarily_unavailable: PROVIDER_BUSY,
  server_error: PROVIDER_BUSY,
  login_required: NEEDS_YOU,
  interaction_required: NEEDS_YOU,
  consent_required: NEEDS_YOU,
  account_selection_required: NEEDS_YOU,
  invalid_request: REFUSED_REQUEST,
  unauthorized_client: REFUSED_REQUEST,
  unsupported_response_type: REFUSED_REQUEST,
  invalid_scope: REFUSED_REQUEST,
  invalid_request_uri: REFUSED_REQUEST,
  invalid_request_object: REFUSED_REQUEST,
  request_not_supported: REFUSED_REQUEST,
  request_uri_not_supported: REFUSED_REQUEST,
  registration_not_supported: REFUSED_REQUEST,
};

/**
 * The words for a provider's `error` code at the callback, which name the real
 * cause better than the check that stopped the callback; `null` for codes not known.
 */
export function describeProviderError(code: string | null): ProviderErrorText | null {
  return code !== null && Object.hasOwn(providerErrors, code) ? providerErrors[code]! : null;
}
