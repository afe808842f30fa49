import { getConfig } from "../core/config.server";
import { AuthError } from "../core/errors";
import { logAuthEvent } from "../core/log.server";
import { authErrorResponse } from "../http/error-response.server";
import { rolesFromClaims } from "../keycloak/roles";
import { getProvider } from "../providers/registry.server";
import { requireAuthSession } from "../session/session.server";
import { getAccessToken, strategyOf } from "./access-token.server";

/**
 * How `requireRole` names the roles of a session of `provider`: by name alone from the default realm, qualified
 * by the realm's name from another realm (`acme/admin`), none from another OpenID provider (named by its label).
 */
export function roleNaming(provider: string): { kind: "default-realm" | "realm" | "provider"; name: string } {
  const known = getProvider(provider);
  if (known?.kind !== "keycloak") return { kind: "provider", name: known?.label ?? provider };
  return { kind: provider === getConfig().defaultProvider ? "default-realm" : "realm", name: provider };
}

/**
 * The user's roles, as `requireRole` names them, from the validated access token: `admin`, `app:editor` from
 * the default realm, `acme/admin`, `acme/app:editor` from realm acme, none from other OpenID providers.
 */
export async function getRoles(request: Request): Promise<{ roles: string[]; headers: Headers }> {
  const { accessToken, headers } = await getAccessToken(request);
  const { user } = await requireAuthSession(request);
  const strategy = await strategyOf(user.realm, headers);
  const source = {
    provider: user.realm,
    kind: getProvider(user.realm)!.kind,
    defaultRealm: getConfig().defaultProvider,
    clientId: strategy.clientId,
  };
  // Only a Keycloak realm's access token, a JWT, names roles: any other is not even validated.
  if (source.kind !== "keycloak" || accessToken.split(".").length !== 3) return { roles: [], headers };
  try {
    const claims = await validatedClaims(accessToken, () => strategy.validateAccessToken(accessToken));
    return { roles: rolesFromClaims(claims, source), headers };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    logAuthEvent(request, "access_denied", {
      realm: user.realm,
      sub: user.sub,
      outcome: "access_token_refused",
      code: error.code,
      detail: error.detail,
    });
    throw authErrorResponse(error, headers);
  }
}

/**
 * Lets the request through when the user has `role`: a role of the default realm (KEYCLOAK_REALM), by
 * name: a realm role (`"admin"`), a role of this app's client (`"app:editor"`: `resource_access[clientId]`)
 * or of another client (`"account:manage-account"`); or another realm's, qualified by the realm's name
 * (`"acme/admin"`, `"acme/app:editor"`). Otherwise throws the 403 page.
 * Send the returned headers with the response (the access token may have been renewed).
 */
export async function requireRole(request: Request, role: string): Promise<{ roles: string[]; headers: Headers }> {
  const result = await getRoles(request);
  if (result.roles.includes(role)) return result;
  const { user } = await requireAuthSession(request);
  logAuthEvent(request, "access_denied", {
    realm: user.realm,
    sub: user.sub,
    outcome: "forbidden",
    detail: `role ${role} missing`,
  });
  throw authErrorResponse(new AuthError("forbidden", `role ${role} missing`), result.headers);
}

/** Access token -> its validated claims, so a page's roles cost one signature check per token, not per request. */
const validated = new Map<string, Promise<Record<string, unknown>>>();

function validatedClaims(
  token: string,
  validate: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  let claims = validated.get(token);
  if (!claims) {
    claims = validate();
    claims.catch(() => validated.delete(token));
    if (validated.size >= 1000) validated.delete(validated.keys().next().value!);
    validated.set(token, claims);
  }
  return claims.then((payload) => {
    // Cached, but never past its expiry.
    if (typeof payload.exp === "number" && payload.exp <= Date.now() / 1000) {
      validated.delete(token);
      throw new AuthError("forbidden", "access token expired");
    }
    return payload;
  });
}
