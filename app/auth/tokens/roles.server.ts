import { AuthError } from "../core/errors";
import { rolesFromClaims } from "../keycloak/roles";
import { requireAuthSession } from "../session/session.server";
import { getAccessToken, introspectOnce, strategyOf } from "./access-token.server";
import type { TokenContext } from "./context.server";

/**
 * How `requireRole` names the roles of a session of `provider`: by name alone from the default realm, qualified
 * by the realm's name from another realm (`acme/admin`), none from another OpenID provider (named by its label).
 */
export function roleNaming(
  ctx: TokenContext,
  provider: string,
): { kind: "default-realm" | "realm" | "provider"; name: string } {
  const known = ctx.providers.get(provider);
  if (known?.kind !== "keycloak") return { kind: "provider", name: known?.label ?? provider };
  return { kind: provider === ctx.config.defaultProvider ? "default-realm" : "realm", name: provider };
}

/**
 * The user's roles, as `requireRole` names them, from the validated access token: `admin`, `app:editor` from
 * the default realm, `acme/admin`, `acme/app:editor` from realm acme, none from other OpenID providers.
 */
export async function getRoles(ctx: TokenContext, request: Request): Promise<{ roles: string[]; headers: Headers }> {
  const { accessToken, headers } = await getAccessToken(ctx, request);
  const { user } = await requireAuthSession(ctx, request);
  const strategy = await strategyOf(ctx, user.realm, headers);
  const source = {
    provider: user.realm,
    kind: ctx.providers.get(user.realm)!.kind,
    defaultRealm: ctx.config.defaultProvider,
    clientId: strategy.clientId,
  };
  // Only a Keycloak realm's access token, a JWT, names roles: any other is not even validated.
  if (source.kind !== "keycloak" || accessToken.split(".").length !== 3) return { roles: [], headers };
  try {
    // Not introspected (Keycloak's answer without the client in the token's audience): no roles, said in the log.
    const unread = (detail: string) =>
      ctx.log(request, "access_denied", {
        realm: user.realm,
        sub: user.sub,
        outcome: "roles_not_introspected",
        detail,
      });
    const claims = await validatedClaims(ctx, accessToken, async () =>
      withRoles(
        await strategy.validateAccessToken(accessToken),
        () => introspectOnce(ctx, strategy, accessToken),
        unread,
      ),
    );
    return { roles: rolesFromClaims(claims, source), headers };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    ctx.log(request, "access_denied", {
      realm: user.realm,
      sub: user.sub,
      outcome: "access_token_refused",
      code: error.code,
      detail: error.detail,
    });
    throw error.withPage({ headers });
  }
}

/**
 * Lets the request through when the user has `role`: a role of the default realm (KEYCLOAK_REALM), by
 * name: a realm role (`"admin"`), a role of this app's client (`"app:editor"`: `resource_access[clientId]`)
 * or of another client (`"account:manage-account"`); or another realm's, qualified by the realm's name
 * (`"acme/admin"`, `"acme/app:editor"`). Otherwise throws the 403 page.
 * Send the returned headers with the response (the access token may have been renewed).
 */
export async function requireRole(
  ctx: TokenContext,
  request: Request,
  role: string,
): Promise<{ roles: string[]; headers: Headers }> {
  const result = await getRoles(ctx, request);
  if (result.roles.includes(role)) return result;
  const { user } = await requireAuthSession(ctx, request);
  ctx.log(request, "access_denied", {
    realm: user.realm,
    sub: user.sub,
    outcome: "forbidden",
    detail: `role ${role} missing`,
  });
  throw new AuthError("forbidden", `role ${role} missing`, { headers: result.headers });
}

/**
 * The roles of a lightweight access token (Keycloak's "Always use lightweight access token"), which carries
 * neither roles nor `sub` (a user without roles still has a `sub`): from the provider's introspection of that
 * same token, once per token. An answer that is not active leaves the token without roles (`unread` says why).
 */
async function withRoles(
  claims: Record<string, unknown>,
  introspect: () => Promise<Record<string, unknown>>,
  unread: (detail: string) => void,
): Promise<Record<string, unknown>> {
  if ("realm_access" in claims || "resource_access" in claims || "sub" in claims) return claims;
  const answer = await introspect();
  if (answer.active !== true) {
    unread(
      "introspection: not active (Keycloak's answer when the client is not in the token's audience: a lightweight token needs the client's own audience mapper)",
    );
    return claims;
  }
  return { ...claims, realm_access: answer.realm_access, resource_access: answer.resource_access };
}

/** The token's claims, validated once per token (cached, but never past its expiry). */
function validatedClaims(
  { validatedClaims: cache }: TokenContext,
  token: string,
  validate: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  let claims = cache.get(token);
  if (!claims) {
    claims = validate();
    claims.catch(() => cache.delete(token));
    cache.set(token, claims);
  }
  return claims.then((payload) => {
    if (typeof payload.exp === "number" && payload.exp <= Date.now() / 1000) {
      cache.delete(token);
      throw new AuthError("forbidden", "access token expired");
    }
    return payload;
  });
}
