// A realm for the access-token tests against real Keycloak, made from
// keycloak/realm-export.json: short-lived access tokens, Keycloak's refresh
// events recorded, and a user without the admin role.
import { REFRESH_MARGIN_SECONDS } from "../../app/auth/session/token-set";
import { createRealmFromFile, realmFile, REALM_CLIENTS, type KeycloakAdmin } from "./keycloak";

/** Below the app's renewal margin: every API call renews, so no test waits for a token to become due. */
export const ACCESS_TOKEN_LIFESPAN = 10;
if (ACCESS_TOKEN_LIFESPAN >= REFRESH_MARGIN_SECONDS) throw new Error("the lifespan must stay below the renewal margin");

/** The realm file's client (remix-app), as in realm demo. */
export const TOKENS_CLIENT = REALM_CLIENTS.demo!;

/** A user with Keycloak's default roles only: not admin, not editor. */
export const READER = { username: "reader", email: "reader@example.com" };

/** `changes` override these settings (e.g. `accessTokenLifespan`). */
export async function createTokensRealm(
  admin: KeycloakAdmin,
  realm: string,
  changes: Record<string, unknown> = {},
): Promise<void> {
  await createRealmFromFile(admin, realm, {
    accessTokenLifespan: ACCESS_TOKEN_LIFESPAN,
    eventsEnabled: true,
    enabledEventTypes: ["REFRESH_TOKEN", "REFRESH_TOKEN_ERROR"],
    users: [
      ...(realmFile().users as unknown[]),
      {
        username: READER.username,
        enabled: true,
        emailVerified: true,
        email: READER.email,
        firstName: "Reader",
        lastName: "User",
        // What Keycloak gives every user it creates (an import gives only the roles the file lists).
        realmRoles: [`default-roles-${realm}`],
        credentials: [{ type: "password", value: READER.username, temporary: false }],
      },
    ],
    ...changes,
  });
}

/**
 * No back-channel logout for the app's client: a session ended at Keycloak
 * then reaches the app only through the renewal Keycloak refuses.
 */
export async function withoutBackchannelLogout(admin: KeycloakAdmin, realm: string): Promise<void> {
  await admin.updateClient(realm, TOKENS_CLIENT.clientId, (client) => {
    client.attributes = { ...client.attributes, "backchannel.logout.url": "" };
  });
}
