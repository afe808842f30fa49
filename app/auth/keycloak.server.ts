import { OIDCStrategy } from "./oidc-strategy.server";

/**
 * OIDCStrategy for one Keycloak realm: the issuer, the state cookie and the
 * strategy name follow from `{ url, realm }`.
 *
 * @example
 * ```ts
 * new KeycloakStrategy(
 *   { url: "https://sso.example.com", realm: "demo", clientId: "remix-app", clientSecret: "…",
 *     redirectURI: "https://app.example.com/auth/demo/callback" },
 *   verify,
 * );
 * ```
 */
export class KeycloakStrategy<User> extends OIDCStrategy<User> {
  override name = "keycloak";
  readonly realm: string;

  constructor(options: KeycloakStrategy.Options, verify: OIDCStrategy.VerifyFunction<User>) {
    const { url, realm, ...rest } = options;
    super(
      {
        ...rest,
        issuer: `${url.replace(/\/+$/, "")}/realms/${encodeURIComponent(realm)}`,
        cookieName: rest.cookieName ?? `oidc:${realm}`,
      },
      verify,
    );
    this.realm = realm;
  }
}

export namespace KeycloakStrategy {
  export interface Options extends Omit<OIDCStrategy.Options, "issuer"> {
    /**
     * Keycloak's base URL (with `/auth` for Keycloak before 17).
     * @example "https://sso.example.com"
     */
    url: string;
    /** @example "demo" */
    realm: string;
  }
}
