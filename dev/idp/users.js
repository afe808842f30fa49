/**
 * @typedef {object} IdpUser
 * @property {string} sub          stable subject identifier (UUID-looking, like Keycloak)
 * @property {string} username
 * @property {string} password
 * @property {string} firstName
 * @property {string} lastName
 * @property {string} email
 * @property {boolean} [emailVerified]
 * @property {string[]} [groups]   full group paths, e.g. "/organisation/department-01"
 * @property {string[]} [realmRoles]   realm roles, in access tokens' `realm_access`
 * @property {string[]} [clientRoles]  roles of the client the token is for, in `resource_access[clientId]`
 */

import { createHash } from "node:crypto";

const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
/** A stable, random-looking suffix: real group names are not repetitive enough to compress away. */
const noise = (/** @type {number} */ n) => createHash("sha256").update(`group-${n}`).digest("hex").slice(0, 40);

/**
 * Full group paths like Keycloak's, each with a random-looking team name.
 * @param {number} count
 */
export const groupPaths = (count) =>
  Array.from({ length: count }, (_, i) => `/organisation/department-${pad(i + 1)}/team-${noise(i + 1)}`);

/** @type {IdpUser[]} */
export const DEFAULT_USERS = [
  {
    sub: "5c0f6b1e-3f2a-4d7b-9a61-0d3c2e8f4a10",
    username: "demo",
    password: "demo",
    firstName: "Demo",
    lastName: "User",
    email: "demo@example.com",
    emailVerified: true,
    realmRoles: ["admin"],
    clientRoles: ["editor"],
  },
  {
    // Many long group names make this user's ID token > 6 kB, which overflows a
    // naive single-cookie session (browsers cap a cookie at ~4 kB), even compressed.
    sub: "9b2d7c4a-6e1f-4b8d-8c3a-51f0e7a2b9d4",
    username: "big",
    password: "big",
    firstName: "Big",
    lastName: "Token",
    email: "big@example.com",
    emailVerified: true,
    groups: groupPaths(60),
  },
];

/**
 * Keycloak-like claims of a user (filtered by oidc-provider per granted scope).
 * @param {IdpUser} user
 */
export function userClaims(user) {
  return {
    sub: user.sub,
    preferred_username: user.username,
    name: `${user.firstName} ${user.lastName}`,
    given_name: user.firstName,
    family_name: user.lastName,
    email: user.email,
    email_verified: user.emailVerified ?? false,
    ...(user.groups?.length ? { groups: user.groups } : {}),
  };
}
