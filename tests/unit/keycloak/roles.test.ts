import { describe, expect, it } from "vitest";
import { rolesFromClaims } from "~/auth/keycloak/roles";

describe("rolesFromClaims", () => {
  const claims = {
    realm_access: { roles: ["admin", "offline_access"] },
    resource_access: {
      "remix-app": { roles: ["editor"] },
      "acme-portal": { roles: ["editor"] },
      account: { roles: ["view-profile"] },
    },
  };
  const defaultRealm = "demo";

  it.each([
    [
      "the default realm: realm roles as they are, this app's client roles app:<role>, other clients' <client>:<role>",
      { provider: "demo", kind: "keycloak", clientId: "remix-app" },
      ["admin", "offline_access", "app:editor", "acme-portal:editor", "account:view-profile"],
    ],
    [
      "another realm: the same, qualified by the realm's name",
      { provider: "acme", kind: "keycloak", clientId: "acme-portal" },
      ["acme/admin", "acme/offline_access", "acme/remix-app:editor", "acme/app:editor", "acme/account:view-profile"],
    ],
    [
      "a generic OpenID provider: none, whatever Keycloak-shaped claims its token carries",
      { provider: "partner", kind: "oidc", clientId: "remix-app" },
      [],
    ],
  ] as const)("names the roles of %s", (_, source, expected) => {
    expect(rolesFromClaims(claims, { ...source, defaultRealm })).toEqual(expected);
  });

  it.each([
    ["no role claims", {}],
    [
      "roles that are not lists",
      { realm_access: { roles: "admin" }, resource_access: { "remix-app": { roles: { editor: true } } } },
    ],
    ["a resource_access that is not an object", { resource_access: "remix-app" }],
    ["roles that are not strings", { realm_access: { roles: [1, null, { name: "admin" }] } }],
  ])("finds none in %s", (_, claims) => {
    expect(
      rolesFromClaims(claims, { provider: "demo", kind: "keycloak", clientId: "remix-app", defaultRealm }),
    ).toEqual([]);
  });
});
