// Roles as Keycloak puts them in its access tokens, and how the app names them.

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
