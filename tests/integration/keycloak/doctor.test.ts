// `npm run doctor` (build/doctor.js) against the real realm: healthy, then each
// broken setting it claims to detect, with the fix it prints.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { runDoctor as runDoctorWith } from "../../support/doctor";
import {
  createRealmFromFile,
  KeycloakAdmin,
  keycloakUrl,
  pointClientAt,
  REALM_CLIENTS,
  startKeycloakStack,
  type ClientRepresentation,
  type KeycloakStack,
} from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

const runDoctor = (overrides: Record<string, string | undefined> = {}) =>
  runDoctorWith({
    APP_URL: "http://localhost:3000",
    KEYCLOAK_URL: keycloakUrl(),
    KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: REALM_CLIENTS.demo!.clientId,
    KEYCLOAK_CLIENT_SECRET: REALM_CLIENTS.demo!.clientSecret,
    ...overrides,
  });

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
    expect(output).toContain("Not checked (they need admin access): which way a logout elsewhere reaches the app");
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

/**
 * Each URL fix the doctor prints, done in Keycloak as printed, with an app
 * at the APP_URL it names: the doctor then passes and the user logs in and
 * out; and what its words say users meet until then is what they meet.
 */
describe("npm run doctor's fixes for the client's URLs, tried on the real Keycloak", () => {
  const admin = new KeycloakAdmin();
  const realm = "doctor-fixes";
  const { clientId } = REALM_CLIENTS.demo!;
  let stack: KeycloakStack;
  let app: string;
  let keycloak: string;

  const hints = [
    {
      check: "redirect URI",
      setting: "Valid redirect URIs",
      // A callback of another path, as a typo would leave it.
      unset: (client: ClientRepresentation) => (client.redirectUris = [`${app}/auth/${realm}/callbak`]),
      set: (client: ClientRepresentation, value: string) => (client.redirectUris = [value]),
    },
    {
      check: "post-logout redirect URI",
      setting: "Valid post logout redirect URIs",
      unset: (client: ClientRepresentation) =>
        (client.attributes = { ...client.attributes, "post.logout.redirect.uris": `${app}/elsewhere` }),
      set: (client: ClientRepresentation, value: string) =>
        (client.attributes = { ...client.attributes, "post.logout.redirect.uris": value }),
    },
  ];

  beforeAll(async () => {
    await createRealmFromFile(admin, realm);
    stack = await startKeycloakStack({ realms: [realm] });
    app = stack.app.url;
    keycloak = stack.idp.url;
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await admin.deleteRealm(realm).catch(() => {});
  });

  /** The realm's client as startKeycloakStack set it for the app, with `change` on top. */
  const setClient = (change: (client: ClientRepresentation) => void) =>
    pointClientAt(admin, realm, clientId, [app]).then(() => admin.updateClient(realm, clientId, change));
  const doctor = () => runDoctor({ APP_URL: app, KEYCLOAK_REALM: realm });

  /** The doctor's one failure, and the fix it prints for it. */
  async function failureAndFix(check: string) {
    const { code, output } = await doctor();
    expect(code, output).toBe(1);
    const failed = failedLines(output);
    expect(failed, output).toEqual([expect.stringContaining(`✗ ${realm}: ${check} — `)]);
    return { line: failed[0]!, fix: fixUnder(output, failed[0]!) };
  }

  /** Logs in and out through the app; returns where Keycloak's end-session endpoint left the browser. */
  async function logInAndOut() {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak, realm });
    const sid = decodeJwt((await sessionIn(jar, app))!.idToken).sid as string;
    const { stop } = await sendEndSession(jar, await browse(jar, `${app}/logout`, { form: {} }), app, keycloak);
    const sessionOpen = (await stack.admin.sessions(realm, "demo")).some((session) => session.id === sid);
    return { stop, sessionOpen };
  }

  it.each(hints)(
    "$check: every value the fix offers, set as it says, passes the doctor and the login and logout",
    async (hint) => {
      await setClient(hint.unset);
      const { fix } = await failureAndFix(hint.check);
      expect(fix).toContain(`to Keycloak > realm ${realm} > Clients > ${clientId} > ${hint.setting}`);
      // "add <value> to …", and any "(or "<value>" there …)".
      const values = [
        /add (\S+) to Keycloak/.exec(fix)?.[1],
        ...[...fix.matchAll(/\(or "([^"]+)" there/g)].map((m) => m[1]),
      ];
      expect(values[0], fix).toBeDefined();
      for (const value of values as string[]) {
        await setClient((client) => hint.set(client, value));
        const { code, output } = await doctor();
        expect(code, `${hint.setting} = ${value}\n${output}`).toBe(0);
        const { stop, sessionOpen } = await logInAndOut();
        expect(stop.url.startsWith(`${app}/logout/callback?state=`), `${hint.setting} = ${value}`).toBe(true);
        expect(sessionOpen).toBe(false);
      }
    },
  );

  it("post-logout redirect URI: what the fix says users meet without it is Keycloak's page and session as they are", async () => {
    await setClient(hints[1]!.unset);
    const { fix } = await failureAndFix("post-logout redirect URI");
    const page = /Keycloak's "([^"]+)" page/.exec(fix)?.[1];
    expect(page, fix).toBeDefined();
    const { stop, sessionOpen } = await logInAndOut();
    expect(stop.url.startsWith(keycloak)).toBe(true);
    expect(textOf(stop.html!)).toContain(page);
    expect(fix).toMatch(/the Keycloak session stays open/);
    expect(sessionOpen).toBe(true);
  });
});
