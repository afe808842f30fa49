import { OIDCStrategy } from "../protocol/oidc-strategy.server";

/**
 * OIDCStrategy for one Keycloak realm. It logs out by redirect like any
 * provider; Keycloak's end-session endpoint also takes the same parameters as
 * a form POST, which the app uses when the URL would be too long
 * (`MAX_REDIRECT_REQUEST_LINE_BYTES`) or when `logoutMethod: "post"` is set.
 *
 * @example
 * ```ts
 * const metadata = await discover("https://sso.example.com/realms/demo");
 * const options = { metadata, clientId: "remix-app", clientSecret: "…", redirectURI: "https://app.example.com/auth/demo/callback" };
 * new KeycloakStrategy(options, async ({ claims, idToken, profile }) => ({ sub: claims.sub, idToken, ...profile }));
 * ```
 */
export class KeycloakStrategy<User> extends OIDCStrategy<User> {
  override name = "keycloak";
}
