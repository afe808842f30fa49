// The real-Keycloak target of the tests (IDP=keycloak): one Keycloak per run,
// started by tests/support/keycloak-global-setup.ts or `npm run test:keycloak`,
// which hand its URL over in KEYCLOAK_TEST_URL.
import { readFileSync } from "node:fs";
import { envName } from "../../app/auth/core/config.server";
import { ADMIN } from "../../dev/keycloak/index.js";
import { freePort, startApp, type RunningApp } from "./app";

export const onKeycloak = process.env.IDP === "keycloak";

export function keycloakUrl(): string {
  const url = process.env.KEYCLOAK_TEST_URL;
  if (!url) throw new Error("KEYCLOAK_TEST_URL is not set: run these tests with IDP=keycloak (npm run test:keycloak)");
  return url;
}

// ---------------------------------------------------------------- realm files

export interface ClientRepresentation {
  id?: string;
  clientId: string;
  secret?: string;
  redirectUris?: string[];
  frontchannelLogout?: boolean;
  attributes?: Record<string, string>;
  [key: string]: unknown;
}
export interface RealmRepresentation {
  realm: string;
  clients: ClientRepresentation[];
  [key: string]: unknown;
}

/** A realm file of keycloak/, as users import it. */
export function realmFile(name: "realm-export.json" | "realm-acme.json" = "realm-export.json"): RealmRepresentation {
  return JSON.parse(readFileSync(new URL(`../../keycloak/${name}`, import.meta.url), "utf8")) as RealmRepresentation;
}

/** The app's client in each imported realm, with the secret the realm file sets. */
export const REALM_CLIENTS: Record<string, { clientId: string; clientSecret: string }> = Object.fromEntries(
  (["realm-export.json", "realm-acme.json"] as const).map((file) => {
    const realm = realmFile(file);
    const client = realm.clients[0]!;
    return [realm.realm, { clientId: client.clientId, clientSecret: client.secret! }];
  }),
);

// ---------------------------------------------------------------- admin REST API

/** Keycloak's admin REST API as the bootstrap admin of the master realm. */
export class KeycloakAdmin {
  #token?: { value: string; until: number };
  constructor(readonly url: string = keycloakUrl()) {}

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    const response = await fetch(`${this.url}/realms/master/protocol/openid-connect/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "password", client_id: "admin-cli", ...ADMIN }),
    });
    if (!response.ok) throw new Error(`admin token: HTTP ${response.status} ${await response.text()}`);
    const { access_token, expires_in } = (await response.json()) as { access_token: string; expires_in: number };
    this.#token = { value: access_token, until: Date.now() + (expires_in - 10) * 1000 };
    return access_token;
  }

  /** `/admin/realms${path}`; throws on anything but 2xx. */
  async request(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.url}/admin/realms${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.#accessToken()}`,
        ...(body !== undefined && { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} /admin/realms${path}: HTTP ${response.status} ${await response.text()}`);
    return response;
  }

  /** The server's version, e.g. "26.7.3" (`GET /admin/serverinfo`). */
  async version(): Promise<string> {
    const response = await fetch(`${this.url}/admin/serverinfo`, {
      headers: { authorization: `Bearer ${await this.#accessToken()}` },
    });
    if (!response.ok) throw new Error(`GET /admin/serverinfo: HTTP ${response.status}`);
    return ((await response.json()) as { systemInfo: { version: string } }).systemInfo.version;
  }

  /** The major version, for the few behaviours that changed between Keycloak versions. */
  async majorVersion(): Promise<number> {
    return Number((await this.version()).split(".")[0]);
  }

  async get<T>(path: string): Promise<T> {
    return (await (await this.request("GET", path)).json()) as T;
  }

  async userId(realm: string, username: string): Promise<string> {
    const [user] = await this.get<{ id: string }[]>(
      `/${realm}/users?exact=true&username=${encodeURIComponent(username)}`,
    );
    if (!user) throw new Error(`no user ${username} in realm ${realm}`);
    return user.id;
  }

  /** The user's SSO sessions at Keycloak (`GET /admin/realms/{realm}/users/{id}/sessions`). */
  async sessions(realm: string, username: string): Promise<{ id: string; clients: Record<string, string> }[]> {
    return this.get(`/${realm}/users/${await this.userId(realm, username)}/sessions`);
  }

  async client(realm: string, clientId: string): Promise<ClientRepresentation & { id: string }> {
    const [client] = await this.get<(ClientRepresentation & { id: string })[]>(
      `/${realm}/clients?clientId=${encodeURIComponent(clientId)}`,
    );
    if (!client) throw new Error(`no client ${clientId} in realm ${realm}`);
    return client;
  }

  async updateClient(realm: string, clientId: string, change: (client: ClientRepresentation) => void): Promise<void> {
    const client = await this.client(realm, clientId);
    change(client);
    await this.request("PUT", `/${realm}/clients/${client.id}`, client);
  }

  /** Creates a realm from a representation (a realm file, renamed and changed as the test needs). */
  async createRealm(realm: RealmRepresentation): Promise<void> {
    await this.request("POST", "", realm);
  }

  async deleteRealm(realm: string): Promise<void> {
    await this.request("DELETE", `/${realm}`);
  }
}

/**
 * A realm of its own for a test that changes realm-wide settings (keys,
 * signature algorithm): realm-export.json under another name, replaced if a
 * previous run left it.
 */
export async function createRealmFromFile(
  admin: KeycloakAdmin,
  name: string,
  changes: Record<string, unknown> = {},
): Promise<void> {
  await admin.deleteRealm(name).catch(() => {});
  await admin.createRealm({ ...realmFile(), ...changes, realm: name });
}

/**
 * Points a client at the app instances of a test, as an admin would for a
 * deployed app: redirect and post-logout URIs for each, back-channel logout to
 * the first (the app's port is chosen at run time, so the realm file cannot know it).
 */
export async function pointClientAt(
  admin: KeycloakAdmin,
  realm: string,
  clientId: string,
  appUrls: string[],
): Promise<void> {
  await admin.updateClient(realm, clientId, (client) => {
    client.redirectUris = appUrls.map((url) => `${url}/auth/${realm}/callback`);
    client.rootUrl = appUrls[0];
    client.attributes = {
      ...client.attributes,
      "post.logout.redirect.uris": appUrls.map((url) => `${url}/*`).join("##"),
      "backchannel.logout.url": `${appUrls[0]}/auth/${realm}/backchannel-logout`,
    };
  });
}

// ---------------------------------------------------------------- the stack

export interface KeycloakStack {
  /** Same shape as the dev IdP's where the tests need it. */
  idp: { url: string; issuer(realm: string): string };
  admin: KeycloakAdmin;
  app: RunningApp;
  stop(): Promise<void>;
}

export interface KeycloakStackOptions {
  /** Realms of the running Keycloak the app uses; the first is the default. */
  realms?: string[];
  /** The app's client in each realm; default: the realm file's. */
  realmClients?: Record<string, { clientId: string; clientSecret: string }>;
  env?: Record<string, string>;
  port?: number;
  /** Another app than the Remix one: `REACT_ROUTER_APP` (./app.ts). */
  app?: { cwd: string; serve: string[] };
}

/** The production build of the app against the running Keycloak, its clients pointed at it. */
export async function startKeycloakStack(options: KeycloakStackOptions = {}): Promise<KeycloakStack> {
  const { realms = ["demo"], env = {} } = options;
  const url = keycloakUrl();
  const admin = new KeycloakAdmin(url);
  const port = options.port ?? (await freePort());
  const appUrl = `http://localhost:${port}`;
  const clients = Object.fromEntries(
    realms.map((realm) => [realm, options.realmClients?.[realm] ?? REALM_CLIENTS[realm] ?? REALM_CLIENTS.demo!]),
  );
  for (const realm of realms) await pointClientAt(admin, realm, clients[realm]!.clientId, [appUrl]);

  const appEnv: Record<string, string> = {
    KEYCLOAK_URL: url,
    KEYCLOAK_REALM: realms[0]!,
    KEYCLOAK_REALMS: realms.join(","),
    KEYCLOAK_CLIENT_ID: clients[realms[0]!]!.clientId,
    KEYCLOAK_CLIENT_SECRET: clients[realms[0]!]!.clientSecret,
  };
  for (const [realm, { clientId, clientSecret }] of Object.entries(clients)) {
    appEnv[`KEYCLOAK_REALM_${envName(realm)}_CLIENT_ID`] = clientId;
    appEnv[`KEYCLOAK_REALM_${envName(realm)}_CLIENT_SECRET`] = clientSecret;
  }
  const app = await startApp({ port, env: { ...appEnv, ...env }, ...options.app });
  return {
    idp: { url, issuer: (realm) => `${url}/realms/${realm}` },
    admin,
    app,
    stop: () => app.stop(),
  };
}
