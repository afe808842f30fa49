// keycloak/realm-export.json must configure the client exactly as the
// Keycloak tables in README.md and docs/DEPLOY.md say, with the attribute
// names Keycloak's own exports use.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");

interface ClientRepresentation {
  clientId: string;
  protocolMappers?: { protocolMapper: string; config: Record<string, string> }[];
  enabled: boolean;
  protocol: string;
  publicClient: boolean;
  bearerOnly: boolean;
  clientAuthenticatorType: string;
  secret: string;
  standardFlowEnabled: boolean;
  implicitFlowEnabled: boolean;
  directAccessGrantsEnabled: boolean;
  serviceAccountsEnabled: boolean;
  frontchannelLogout: boolean;
  rootUrl: string;
  redirectUris: string[];
  attributes: Record<string, string>;
}

const realm = JSON.parse(read("keycloak/realm-export.json")) as {
  realm: string;
  enabled: boolean;
  clients: ClientRepresentation[];
  users: {
    username: string;
    enabled: boolean;
    email: string;
    emailVerified: boolean;
    firstName: string;
    lastName: string;
    groups?: string[];
    credentials: { type: string; value: string; temporary: boolean }[];
  }[];
  groups: { name: string; subGroups?: { name: string; subGroups?: { name: string }[] }[] }[];
};
const client = realm.clients.find((c) => c.clientId === "remix-app")!;
const APP_URL = "http://localhost:3000";
/** A client URL as Keycloak reads it: a path is relative to the client's Root URL. */
const resolved = (uri: string) => (uri.startsWith("/") ? `${client.rootUrl}${uri}` : uri);

describe("keycloak/realm-export.json", () => {
  it("is the enabled realm demo with the client remix-app", () => {
    expect(realm.realm).toBe("demo");
    expect(realm.enabled).toBe(true);
    expect(client).toBeDefined();
    expect(client.enabled).toBe(true);
    expect(client.protocol).toBe("openid-connect");
  });

  it("makes remix-app a confidential client with a placeholder secret", () => {
    expect(client.publicClient).toBe(false);
    expect(client.bearerOnly).toBe(false);
    expect(client.clientAuthenticatorType).toBe("client-secret");
    expect(client.secret).toMatch(/change-me/);
  });

  it("enables the standard flow only", () => {
    expect(client.standardFlowEnabled).toBe(true);
    expect(client.implicitFlowEnabled).toBe(false);
    expect(client.directAccessGrantsEnabled).toBe(false);
    expect(client.serviceAccountsEnabled).toBe(false);
  });

  it("requires PKCE S256 and registers the callback and post-logout URIs, relative to the Root URL", () => {
    expect(client.attributes["pkce.code.challenge.method"]).toBe("S256");
    expect(client.rootUrl).toBe(APP_URL);
    expect(client.redirectUris).toEqual(["/auth/demo/callback"]);
    expect(client.attributes["post.logout.redirect.uris"]).toBe("/*");
  });

  it("turns front-channel logout off and back-channel logout on, with the session id", () => {
    expect(client.frontchannelLogout).toBe(false);
    expect(client.attributes["backchannel.logout.url"]).toBe("/auth/demo/backchannel-logout");
    expect(client.attributes["backchannel.logout.session.required"]).toBe("true");
    expect(client.attributes["backchannel.logout.revoke.offline.tokens"]).toMatch(/^(true|false)$/);
  });

  it("holds the front-channel choice ready, in full (Keycloak does not resolve it against the Root URL)", () => {
    expect(client.attributes["frontchannel.logout.url"]).toBe(`${APP_URL}/auth/demo/frontchannel-logout`);
    expect(client.attributes["frontchannel.logout.session.required"]).toBe("true");
  });

  it("has the user demo / demo with a permanent password and a full profile", () => {
    const demo = realm.users.find((u) => u.username === "demo")!;
    expect(demo).toMatchObject({ enabled: true, email: "demo@example.com", emailVerified: true });
    expect(demo.firstName).toBeTruthy();
    expect(demo.lastName).toBeTruthy();
    expect(demo.credentials).toEqual([{ type: "password", value: "demo", temporary: false }]);
  });

  it("has the user big / big in 60 groups that reach the ID token as full paths, like the dev IdP's big", async () => {
    const { DEFAULT_USERS } = await import("../../../dev/idp/users.js");
    const big = realm.users.find((u) => u.username === "big")!;
    expect(big).toMatchObject({
      enabled: true,
      email: "big@example.com",
      emailVerified: true,
      firstName: "Big",
      lastName: "Token",
    });
    expect(big.credentials).toEqual([{ type: "password", value: "big", temporary: false }]);
    expect(big.groups).toEqual(DEFAULT_USERS.find((u) => u.username === "big")!.groups);
    const paths = realm.groups.flatMap((top) =>
      (top.subGroups ?? []).flatMap((department) =>
        (department.subGroups ?? []).map((team) => `/${top.name}/${department.name}/${team.name}`),
      ),
    );
    expect(paths).toEqual(big.groups);
    const mapper = client.protocolMappers?.find((m) => m.protocolMapper === "oidc-group-membership-mapper");
    expect(mapper?.config).toMatchObject({ "claim.name": "groups", "full.path": "true", "id.token.claim": "true" });
  });
});

describe("keycloak/realm-acme.json", () => {
  const acme = JSON.parse(read("keycloak/realm-acme.json")) as typeof realm;
  it("is the realm acme with its own client acme-portal, set up like remix-app", () => {
    expect(acme.realm).toBe("acme");
    const portal = acme.clients.find((c) => c.clientId === "acme-portal")!;
    const { clientId: _a, redirectUris, attributes, ...rest } = portal;
    const { clientId: _b, redirectUris: _r, attributes: remixAttributes, ...remixRest } = client;
    expect({ ...rest, name: undefined, description: undefined }).toEqual({
      ...remixRest,
      name: undefined,
      description: undefined,
    });
    expect(redirectUris).toEqual(["/auth/acme/callback"]);
    expect(attributes).toEqual({
      ...remixAttributes,
      "backchannel.logout.url": "/auth/acme/backchannel-logout",
      "frontchannel.logout.url": `${APP_URL}/auth/acme/frontchannel-logout`,
    });
    expect(acme.users.map((u) => u.username)).toEqual(["demo"]);
  });
});

describe("keycloak/realm-export.json for access tokens and roles (issue 17)", () => {
  const realmFile = JSON.parse(read("keycloak/realm-export.json")) as {
    revokeRefreshToken?: boolean;
    refreshTokenMaxReuse?: number;
    roles?: { realm?: { name: string }[]; client?: Record<string, { name: string }[]> };
    users: { username: string; realmRoles?: string[]; clientRoles?: Record<string, string[]> }[];
  };

  it("rotates refresh tokens: each is refused after one use", () => {
    expect(realmFile.revokeRefreshToken).toBe(true);
    expect(realmFile.refreshTokenMaxReuse).toBe(0);
  });

  it("has the realm role admin and the client role editor of remix-app, both given to demo", () => {
    expect(realmFile.roles?.realm?.map((role) => role.name)).toContain("admin");
    expect(realmFile.roles?.client?.["remix-app"]?.map((role) => role.name)).toContain("editor");
    const demo = realmFile.users.find((u) => u.username === "demo")!;
    expect(demo.realmRoles).toContain("admin");
    expect(demo.clientRoles?.["remix-app"]).toEqual(["editor"]);
  });
});

/** The value cell of the row whose first cell is `label` in a markdown table. */
function row(markdown: string, label: string): string {
  const line = markdown.split("\n").find((l) => l.startsWith(`| ${label} |`));
  if (!line) throw new Error(`no table row "${label}"`);
  return line.split("|")[2]!.trim();
}
/** `${APP_URL}/auth/{realm}/callback` -> the URL for APP_URL and realm demo. */
const url = (cell: string) =>
  /`([^`]+)`/.exec(cell)![1]!.replace("${APP_URL}", APP_URL).replace("{realm}", realm.realm);
const onOff = (cell: string) => /^On\b/.test(cell);

describe.each(["README.md", "docs/DEPLOY.md"])("the Keycloak client table in %s", (path) => {
  const markdown = read(path);
  it("describes the client of realm-export.json", () => {
    expect(onOff(row(markdown, "Client authentication"))).toBe(!client.publicClient);
    expect(onOff(row(markdown, "Standard flow"))).toBe(client.standardFlowEnabled);
    expect(url(row(markdown, "Valid redirect URIs"))).toBe(resolved(client.redirectUris[0]!));
    expect(url(row(markdown, "Valid post logout redirect URIs"))).toBe(
      resolved(client.attributes["post.logout.redirect.uris"]!),
    );
    expect(onOff(row(markdown, "Front channel logout"))).toBe(client.frontchannelLogout);
    expect(url(row(markdown, "Backchannel logout URL"))).toBe(resolved(client.attributes["backchannel.logout.url"]!));
    expect(onOff(row(markdown, "Backchannel logout session required"))).toBe(
      client.attributes["backchannel.logout.session.required"] === "true",
    );
    expect(row(markdown, "Advanced > Proof Key for Code Exchange Code Challenge Method")).toBe(
      client.attributes["pkce.code.challenge.method"],
    );
  });
});

describe("DEPLOY.md's 'Import the realm', step 2", () => {
  /** The keys whose values hold `APP_URL`, anywhere in a realm file. */
  function keysHoldingAppUrl(value: unknown, key = ""): string[] {
    if (typeof value === "string") return value.includes(APP_URL) ? [key] : [];
    if (Array.isArray(value)) return value.flatMap((item) => keysHoldingAppUrl(item, key));
    if (value && typeof value === "object")
      return Object.entries(value).flatMap(([name, inner]) => keysHoldingAppUrl(inner, name));
    return [];
  }
  const step = /^2\. [^]*?(?=\n3\. )/m.exec(read("docs/DEPLOY.md"))![0];

  it.each(["keycloak/realm-export.json", "keycloak/realm-acme.json"])(
    "names the places of %s that hold the example APP_URL: the Root URL, and the front-channel URL it says why",
    (path) => {
      expect(keysHoldingAppUrl(JSON.parse(read(path)))).toEqual(["rootUrl", "frontchannel.logout.url"]);
      expect(step).toContain("*Front-channel logout URL*");
      expect(step).toContain("Root URL");
      expect(step).toContain("`rootUrl`");
      expect(step).toContain("the one place");
    },
  );
});
