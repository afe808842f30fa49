// The app's URLs a provider must have registered for its client, built
// from APP_URL only (never from the request's Host). The doctor probes them.

/** Where the provider sends the browser back after logout; over http, the logout-state cookie goes nowhere else. */
export const LOGOUT_CALLBACK_PATH = "/logout/callback";

/** Where provider `name` sends the browser back after login: its "Valid redirect URI". */
export function loginCallbackUrl(appUrl: string, name: string): string {
  return `${appUrl}/auth/${name}/callback`;
}

/** Where every provider sends the browser back after logout: its "Valid post logout redirect URI". */
export function postLogoutRedirectUrl(appUrl: string): string {
  return `${appUrl}${LOGOUT_CALLBACK_PATH}`;
}

/** Where a provider reads the public keys of `private_key_jwt` clients: its "JWKS URL". */
export function clientJwksUrl(appUrl: string): string {
  return `${appUrl}/auth/jwks.json`;
}
