import { OIDCStrategy } from "../protocol/oidc-strategy.server";

/**
 * Everything the app knows about Keycloak that other OpenID providers do not
 * share. A realm's issuer follows from Keycloak's base URL and the realm name.
 */
export function keycloakIssuer({ url, realm }: { url: string; realm: string }): string {
  return `${url.replace(/\/+$/, "")}/realms/${encodeURIComponent(realm)}`;
}

/**
 * OIDCStrategy for one Keycloak realm. It logs out by redirect like any
 * provider; Keycloak's end-session endpoint also takes the same parameters as
 * a form POST, which the app uses when the URL would be too long
 * (`MAX_REDIRECT_REQUEST_LINE_BYTES`) or when `logoutMethod: "post"` is set.
 *
 * @example
 * ```ts
 * const metadata = await discover(keycloakIssuer({ url: "https://sso.example.com", realm: "demo" }));
 * const options = { metadata, clientId: "remix-app", clientSecret: "…", redirectURI: "https://app.example.com/auth/demo/callback" };
 * new KeycloakStrategy(options, async ({ claims, idToken, profile }) => ({ sub: claims.sub, idToken, ...profile }));
 * ```
 */
export class KeycloakStrategy<User> extends OIDCStrategy<User> {
  override name = "keycloak";
}
