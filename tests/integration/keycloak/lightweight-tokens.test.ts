// Keycloak's lightweight access tokens ("Always use lightweight access token", Keycloak 24+) carry no roles:
// requireRole and /account's roles read them from Keycloak's introspection of the same token, once per token.
// A realm of its own, from keycloak/realm-export.json, with the switch on and Keycloak's INTROSPECT_TOKEN
// events recorded, so Keycloak itself says how often the app asked.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import {
  createRealmFromFile,
  KeycloakAdmin,
  keycloakUrl,
  REALM_CLIENTS,
  startKeycloakStack,
  type KeycloakStack,
} from "../../support/keycloak";
import { logInAtKeycloak } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

const REALM = "lightweight";
let stack: KeycloakStack;
let admin: KeycloakAdmin;
beforeAll(async () => {
  admin = new KeycloakAdmin(keycloakUrl());
  await createRealmFromFile(admin, REALM, {
    eventsEnabled: true,
    enabledEventTypes: ["INTROSPECT_TOKEN", "USER_INFO_REQUEST_ERROR"],
  });
  await admin.updateClient(REALM, "remix-app", (client) => {
    client.attributes = { ...client.attributes, "client.use.lightweight.access.token.enabled": "true" };
  });
  // Keycloak 26 introspects a token only for a client in its audience, and a lightweight token has none:
  // the client's own audience mapper, kept in lightweight tokens (docs/EXTENDING.md says so).
  const { id } = await admin.client(REALM, "remix-app");
  await admin.request("POST", `/${REALM}/clients/${id}/protocol-mappers/models`, {
    name: "audience remix-app",
    protocol: "openid-connect",
    protocolMapper: "oidc-audience-mapper",
    config: {
      "included.client.audience": "remix-app",
      "access.token.claim": "true",
      "introspection.token.claim": "true",
      "lightweight.claim": "true",
    },
  });
  stack = await startKeycloakStack({ realms: [REALM] });
});
afterAll(() => stack?.stop());

const events = async (type: string) =>
  (await admin.get<unknown[]>(`/${REALM}/events?type=${type}&client=remix-app`)).length;

describe("Keycloak's lightweight access tokens", () => {
  it("still open /admin and show /account's roles and profile, read through one introspection per token", async () => {
    const app = stack.app.url;
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak: stack.idp.url, realm: REALM });
    const claims = decodeJwt((await sessionIn(jar, app))!.tokens!.accessToken);
    expect(claims.realm_access).toBeUndefined();
    expect(claims.resource_access).toBeUndefined();
    const before = await events("INTROSPECT_TOKEN");

    const adminPage = await browse(jar, `${app}/admin`);
    expect(adminPage.status).toBe(200);
    expect(textOf(await adminPage.text())).toContain("client role editor");
    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    const html = await account.text();
    const text = textOf(html);
    expect(text).toMatch(/Roles[\s\S]*admin/);
    expect(/data-testid="api-facts"[^]*?<\/dl>/.exec(html)?.[0]).toContain("demo@example.com");
    // One introspection for the token, for roles and profile alike; and no renewal: the token was never refused as revoked.
    expect(await events("INTROSPECT_TOKEN")).toBe(before + 1);
    expect(stack.app.output()).not.toContain('"event":"token_refresh"');
    // 26.7.3 refuses the token at userinfo ("Lightweight access token not allowed"), and introspection's claims stood
    // in for the profile; 26.5.6 answers it there. Keycloak itself says which, asked after the app.
    const refusedBefore = await events("USER_INFO_REQUEST_ERROR");
    const userinfo = await fetch(`${stack.idp.issuer(REALM)}/protocol/openid-connect/userinfo`, {
      headers: { Authorization: `Bearer ${(await sessionIn(jar, app))!.tokens!.accessToken}` },
    });
    if (userinfo.status === 401) expect(refusedBefore).toBeGreaterThan(0);
    else expect([userinfo.status, refusedBefore]).toEqual([200, 0]);
  });

  it("without the client's audience mapper: no roles where Keycloak will not introspect (the 403 page), and the log says why", async () => {
    const { id } = await admin.client(REALM, "remix-app");
    const mappers = await admin.get<{ id: string; name: string }[]>(`/${REALM}/clients/${id}/protocol-mappers/models`);
    const audience = mappers.find(({ name }) => name === "audience remix-app")!;
    await admin.request("DELETE", `/${REALM}/clients/${id}/protocol-mappers/models/${audience.id}`);
    const app = stack.app.url;
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak: stack.idp.url, realm: REALM });
    // 26.7.3 answers {"active":false} to a client outside the token's audience; 26.5.6 introspects it anyway.
    const { clientId, clientSecret } = REALM_CLIENTS.demo!;
    const introspection = await fetch(`${stack.idp.issuer(REALM)}/protocol/openid-connect/token/introspect`, {
      method: "POST",
      headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}` },
      body: new URLSearchParams({ token: (await sessionIn(jar, app))!.tokens!.accessToken }),
    }).then((response) => response.json() as Promise<{ active: boolean }>);
    const adminPage = await browse(jar, `${app}/admin`);
    if (introspection.active) {
      expect(adminPage.status).toBe(200);
    } else {
      expect(adminPage.status).toBe(403);
      expect(stack.app.output()).toContain('"outcome":"roles_not_introspected"');
    }
  });
});
