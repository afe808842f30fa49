/** The tokens a session keeps to call APIs as the user. */
export interface SessionTokens {
  accessToken: string;
  /** Absent when the provider issued none: the access token then cannot be renewed. */
  refreshToken?: string;
  /** Seconds since the epoch; absent when the provider did not say (`expires_in`). */
  expiresAt?: number;
}

/** The tokens of a token endpoint response (a code or refresh grant); `previous` keeps a refresh token the response did not rotate. */
export function sessionTokens(
  response: { access_token: string; refresh_token?: string; expires_in?: number },
  nowSeconds: number,
  previous?: SessionTokens,
): SessionTokens {
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  return {
    accessToken: response.access_token,
    ...(refreshToken && { refreshToken }),
    ...(typeof response.expires_in === "number" && { expiresAt: Math.floor(nowSeconds) + response.expires_in }),
  };
}

/** Renew a little before expiry, so the token does not expire on its way to the API. */
export const REFRESH_MARGIN_SECONDS = 30;

/** Whether the access token is expired or will be within the margin; a token of unknown expiry is used until an API refuses it. */
export function needsRefresh(
  tokens: SessionTokens,
  nowSeconds: number,
  marginSeconds = REFRESH_MARGIN_SECONDS,
): boolean {
  return tokens.expiresAt !== undefined && tokens.expiresAt - nowSeconds <= marginSeconds;
}

export function isSessionTokens(value: unknown): value is SessionTokens {
  if (typeof value !== "object" || value === null) return false;
  const { accessToken, refreshToken, expiresAt } = value as Partial<SessionTokens>;
  return (
    typeof accessToken === "string" &&
    (refreshToken === undefined || typeof refreshToken === "string") &&
    (expiresAt === undefined || typeof expiresAt === "number")
  );
}

/** Who granted the roles of a session's access token, and so what the app calls them. */
export interface RoleSource {
  /** The session's provider: a Keycloak realm or another OpenID provider, by name. */
  provider: string;
  kind: "keycloak" | "oidc";
  /** KEYCLOAK_REALM: the one realm whose roles keep their bare names. */
  defaultRealm: string;
  /** This app's client id at the provider: its client roles are `app:<role>`. */
  clientId: string;
}

/**
 * Roles as `requireRole` names them, from a Keycloak access token's claims:
 * realm roles by name (`admin`), this app's client roles as `app:<role>`,
 * other clients' as `<clientId>:<role>`, each qualified by its realm
 * (`acme/admin`, `acme/app:editor`) unless it is the default realm's: a role
 * an admin of another realm creates never passes for the default realm's.
 * Realm names contain no `/`, so no realm's roles pass for another realm's.
 * Other OpenID providers give none: `realm_access` and `resource_access` are
 * Keycloak's own claims, which promise nothing elsewhere.
 */
export function rolesFromClaims(claims: Record<string, unknown>, source: RoleSource): string[] {
  if (source.kind !== "keycloak") return [];
  const roles = new Set<string>();
  for (const role of roleList((claims.realm_access as { roles?: unknown } | undefined)?.roles)) roles.add(role);
  const resourceAccess = claims.resource_access;
  if (typeof resourceAccess === "object" && resourceAccess !== null) {
    for (const [client, access] of Object.entries(resourceAccess)) {
      const prefix = client === source.clientId ? "app" : client;
      for (const role of roleList((access as { roles?: unknown } | null)?.roles)) roles.add(`${prefix}:${role}`);
    }
  }
  const realm = source.provider === source.defaultRealm ? "" : `${source.provider}/`;
  return [...roles].map((role) => realm + role);
}

function roleList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((role): role is string => typeof role === "string") : [];
}
