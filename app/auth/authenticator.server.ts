import { Authenticator } from "remix-auth";
import { getConfig } from "./config.server";
import type { IdTokenClaims } from "./id-token.server";
import { KeycloakStrategy } from "./keycloak.server";
import { OIDCStrategy } from "./oidc-strategy.server";
import type { SessionData } from "./session.server";

/** What a successful login yields: the session to store. */
export type LoginResult = Omit<SessionData, "createdAt">;

let authenticator: Authenticator<LoginResult> | undefined;

/** One Authenticator, one strategy per configured realm, registered under the realm's name. */
export function getAuthenticator(): Authenticator<LoginResult> {
  if (authenticator) return authenticator;
  const config = getConfig();
  authenticator = new Authenticator<LoginResult>();
  for (const realm of config.realms) {
    const strategy = new KeycloakStrategy<LoginResult>(
      {
        url: realm.keycloakUrl,
        realm: realm.name,
        clientId: realm.clientId,
        clientSecret: realm.clientSecret,
        redirectURI: `${config.appUrl}/auth/${realm.name}/callback`,
        timeoutMs: config.idpTimeoutMs,
      },
      async ({ idToken, claims }) => ({ idToken, user: toSessionUser(realm.name, claims) }),
    );
    authenticator.use(strategy, realm.name);
  }
  return authenticator;
}

/** The strategy registered under `name`, or `null`: names come from URLs, so unknown ones are expected. */
export function getStrategy(name: string): OIDCStrategy<LoginResult> | null {
  const strategy = getAuthenticator().get(name);
  return strategy instanceof OIDCStrategy ? strategy : null;
}

function toSessionUser(realm: string, claims: IdTokenClaims): LoginResult["user"] {
  return {
    realm,
    sub: claims.sub,
    sid: claims.sid,
    username: claims.preferred_username ?? claims.sub,
    name: claims.name,
    email: claims.email,
  };
}
