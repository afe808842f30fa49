import { OIDCStrategy } from "./oidc-strategy.server";

/**
 * Everything the app knows about Keycloak that other OpenID providers do not
 * share. A realm's issuer follows from Keycloak's base URL and the realm name.
 */
export function keycloakIssuer({ url, realm }: { url: string; realm: string }): string {
  return `${url.replace(/\/+$/, "")}/realms/${encodeURIComponent(realm)}`;
}

/**
 * OIDCStrategy for one Keycloak realm: it logs out by form POST by default,
 * since Keycloak's end-session endpoint takes the same parameters as a form
 * and a large ID token then stays out of URLs.
 *
 * @example
 * ```ts
 * const options = { issuer: keycloakIssuer({ url: "https://sso.example.com", realm: "demo" }),
 *   clientId: "remix-app", clientSecret: "…", redirectURI: "https://app.example.com/auth/demo/callback" };
 * new KeycloakStrategy({ ...options, metadata: await discover(options.issuer) }, verify);
 * ```
 */
export class KeycloakStrategy<User> extends OIDCStrategy<User> {
  override name = "keycloak";

  constructor(options: OIDCStrategy.Options, verify: OIDCStrategy.VerifyFunction<User>) {
    super({ ...options, logoutMethod: options.logoutMethod ?? "post" }, verify);
  }
}
