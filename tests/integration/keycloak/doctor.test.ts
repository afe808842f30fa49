// `npm run doctor` (build/doctor.js) against the real realm: healthy, then each
// broken setting it claims to detect, with the fix it prints.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_SESSION_SECRET } from "../../support/app";
import { createRealmFromFile, KeycloakAdmin, keycloakUrl, pointClientAt, REALM_CLIENTS } from "../../support/keycloak";

const root = fileURLToPath(new URL("../../..", import.meta.url));

function runDoctor(overrides: Record<string, string | undefined> = {}): Promise<{ code: number; output: string }> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_ENV: "production",
    APP_URL: "http://localhost:3000",
    KEYCLOAK_URL: keycloakUrl(),
    KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: REALM_CLIENTS.demo!.clientId,
    KEYCLOAK_CLIENT_SECRET: REALM_CLIENTS.demo!.clientSecret,
    SESSION_SECRET: TEST_SESSION_SECRET,
    IDP_TIMEOUT_MS: "10000",
    ...overrides,
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["build/doctor.js"],
      { cwd: root, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

const failedLines = (output: string) => output.split("\n").filter((line) => line.startsWith("✗ "));
const fixUnder = (output: string, failed: string) => {
  const lines = output.split("\n");
  return lines[lines.indexOf(failed) + 1] ?? "";
};

describe("npm run doctor against the real Keycloak realm", () => {
  // Other suites point these clients at their own app's port: back to the realm files' APP_URL first.
  beforeAll(async () => {
    const admin = new KeycloakAdmin();
    for (const realm of ["demo", "acme"]) {
      await pointClientAt(admin, realm, REALM_CLIENTS[realm]!.clientId, ["http://localhost:3000"]);
    }
  });

  it("passes every check for the realm file's client, two realms with a client each", async () => {
    const { code, output } = await runDoctor({
      KEYCLOAK_REALMS: "acme",
      KEYCLOAK_REALM_ACME_CLIENT_ID: REALM_CLIENTS.acme!.clientId,
      KEYCLOAK_REALM_ACME_CLIENT_SECRET: REALM_CLIENTS.acme!.clientSecret,
    });
    expect(code, output).toBe(0);
    expect(output).toContain("✓ demo: end-session endpoint");
    expect(output).toMatch(/✓ demo: signing keys — 1 signing key \(RS256\); ID tokens: .*RS256/);
    // Keycloak refuses client_credentials with "Service accounts" off only after accepting the secret.
    expect(output).toContain(
      "✓ demo: client credentials — remix-app: accepted (client_credentials itself is not enabled: unauthorized_client, as expected)",
    );
    expect(output).toContain("✓ acme: client credentials — acme-portal: accepted");
    expect(output).toMatch(/All \d+ checks passed\./);
  });

  it.each([
    {
      what: "a wrong client secret",
      env: { KEYCLOAK_CLIENT_SECRET: "wrong-secret-0123456789abcdef" },
      line: "✗ demo: client credentials — remix-app: refused with invalid_client: client id or secret wrong",
      fix: /fix: set KEYCLOAK_CLIENT_SECRET .*to the secret in Keycloak > realm demo > Clients > remix-app > Credentials/,
    },
    {
      what: "a client id the realm does not have",
      env: { KEYCLOAK_CLIENT_ID: "no-such-client" },
      line: "✗ demo: client credentials — no-such-client: refused with invalid_client: client id or secret wrong",
      // Keycloak answers invalid_client for an unknown client id too: the fix names both variables.
      fix: /check KEYCLOAK_CLIENT_ID .*names a client of that realm/,
    },
    {
      what: "a realm Keycloak does not have",
      env: { KEYCLOAK_REALM: "Demo" },
      line: expect.stringMatching(
        /^✗ Demo: discovery — .*\/realms\/Demo\/\.well-known\/openid-configuration answered HTTP 404$/,
      ),
      fix: /no realm "Demo" at KEYCLOAK_URL: check KEYCLOAK_REALM.* \(realm names are case-sensitive\)/,
    },
    {
      what: "a KEYCLOAK_URL with a path Keycloak does not serve (/auth, as before Keycloak 17)",
      env: { KEYCLOAK_URL: `${keycloakUrl()}/auth` },
      line: expect.stringMatching(
        /^✗ demo: discovery — .*\/auth\/realms\/demo\/\.well-known\/openid-configuration answered HTTP 404$/,
      ),
      // Keycloak 17 and later serve realms without /auth: the fix says to remove it, and where to.
      fix: new RegExp(
        `fix: remove /auth from KEYCLOAK_URL \\(set it to ${keycloakUrl().replace(/[.]/g, "\\.")}\\): Keycloak 17 and later serve realms at /realms/<realm>`,
      ),
    },
  ])("detects $what, and prints the fix", async ({ env, line, fix }) => {
    const { code, output } = await runDoctor(env);
    expect(code, output).toBe(1);
    const failed = failedLines(output);
    expect(failed, output).toEqual([line]);
    expect(fixUnder(output, failed[0]!)).toMatch(fix);
  });
});

/**
 * The two URLs the app's client must have registered, probed without
 * credentials: each realm here is the realm file under another name, so the
 * suites that repoint the demo client cannot disturb it.
 */
describe("npm run doctor against the real Keycloak: the client's registered URLs", () => {
  const admin = new KeycloakAdmin();
  const { clientId } = REALM_CLIENTS.demo!;
  const realms = {
    // The file's redirect URI is /auth/demo/callback: in a realm of another name, the app's own callback is missing.
    "doctor-redirect": {},
    "doctor-postlogout": {
      redirectUris: ["http://localhost:3000/auth/doctor-postlogout/callback"],
      postLogout: "http://localhost:3000/elsewhere",
    },
    "doctor-ok": { redirectUris: ["http://localhost:3000/auth/doctor-ok/callback"] },
  } as Record<string, { redirectUris?: string[]; postLogout?: string }>;

  beforeAll(async () => {
    for (const [name, change] of Object.entries(realms)) {
      await createRealmFromFile(admin, name);
      await admin.updateClient(name, clientId, (client) => {
        if (change.redirectUris) client.redirectUris = change.redirectUris;
        if (change.postLogout)
          client.attributes = { ...client.attributes, "post.logout.redirect.uris": change.postLogout };
      });
    }
  }, 120_000);
  afterAll(async () => {
    for (const name of Object.keys(realms)) await admin.deleteRealm(name).catch(() => {});
  });

  it("passes both for a client that lists the app's callback and logout callback", async () => {
    const { code, output } = await runDoctor({ KEYCLOAK_REALM: "doctor-ok" });
    expect(code, output).toBe(0);
    expect(output).toContain("✓ doctor-ok: redirect URI — http://localhost:3000/auth/doctor-ok/callback is registered");
    expect(output).toContain(
      "✓ doctor-ok: post-logout redirect URI — http://localhost:3000/logout/callback is registered",
    );
    expect(output).toContain("Not checked (they need admin access): that front-channel logout is off");
  });

  it('detects a missing redirect URI: Keycloak\'s 400 "Invalid parameter: redirect_uri"', async () => {
    const { code, output } = await runDoctor({ KEYCLOAK_REALM: "doctor-redirect" });
    expect(code, output).toBe(1);
    const failed = failedLines(output);
    expect(failed, output).toEqual([
      '✗ doctor-redirect: redirect URI — http://localhost:3000/auth/doctor-redirect/callback refused: HTTP 400 "Invalid parameter: redirect_uri"',
    ]);
    expect(fixUnder(output, failed[0]!)).toMatch(
      /fix: add http:\/\/localhost:3000\/auth\/doctor-redirect\/callback to Keycloak > realm doctor-redirect > Clients > remix-app > Valid redirect URIs/,
    );
  });

  it('detects a missing post-logout redirect URI: Keycloak\'s 400 "Invalid redirect uri"', async () => {
    const { code, output } = await runDoctor({ KEYCLOAK_REALM: "doctor-postlogout" });
    expect(code, output).toBe(1);
    const failed = failedLines(output);
    expect(failed, output).toEqual([
      '✗ doctor-postlogout: post-logout redirect URI — http://localhost:3000/logout/callback refused: HTTP 400 "Invalid redirect uri"',
    ]);
    expect(fixUnder(output, failed[0]!)).toMatch(
      /fix: add http:\/\/localhost:3000\/logout\/callback to Keycloak > realm doctor-postlogout > Clients > remix-app > Valid post logout redirect URIs/,
    );
  });
});
