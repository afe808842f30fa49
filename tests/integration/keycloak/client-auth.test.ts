// How the app authenticates its client to real Keycloak's token endpoint.
// With `*_CLIENT_PRIVATE_KEY` it signs a JWT (`private_key_jwt`), which
// Keycloak checks against the app's own `/auth/jwks.json`. That is a client
// whose authenticator is "Signed JWT" (`client-jwt`) with "Use JWKS URL".
// Keycloak's events name the method that authenticated each token request
// (`client_auth_method`), so Keycloak itself shows that the JWT did it: at
// the login's code exchange and at the renewal of the access token. Each
// algorithm gets a realm of its own, made from keycloak/realm-export.json,
// with 10 s access tokens and those events on. The shared realms are not touched.
import { decodeJwt, exportJWK, exportPKCS8, generateKeyPair, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAuthentication, discover } from "../../../app/auth/protocol/oidc-protocol.server";
import { browse, CookieJar, decodeEntities, follow, textOf } from "../../support/browserless";
import { runDoctor as runDoctorWith } from "../../support/doctor";
import {
  KeycloakAdmin,
  keycloakUrl,
  pointClientAt,
  startKeycloakStack,
  type KeycloakStack,
} from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession, signInAtKeycloak, startKeycloakLogin } from "../../support/keycloak-login";
import { createTokensRealm, TOKENS_CLIENT } from "../../support/keycloak-tokens-realm";
import { sessionIn } from "../../support/login";

const { clientId } = TOKENS_CLIENT;
const keycloak = keycloakUrl();
let admin: KeycloakAdmin;
beforeAll(() => {
  admin = new KeycloakAdmin(keycloak);
});

interface KeycloakEvent {
  type: string;
  sessionId?: string;
  error?: string;
  details?: Record<string, string>;
}

/** What Keycloak recorded for the app's client (`GET /admin/realms/{realm}/events`), oldest first. */
async function eventsOf(realm: string, type: string): Promise<KeycloakEvent[]> {
  const events = await admin.get<KeycloakEvent[]>(`/${realm}/events?type=${type}&client=${clientId}&max=1000`);
  return events.reverse();
}

/** Keycloak's events are read through its admin API: generous on a loaded machine. */
const RECORDED = { timeout: 15_000, interval: 200 };

const EVENT_TYPES = ["CODE_TO_TOKEN", "CODE_TO_TOKEN_ERROR", "REFRESH_TOKEN", "REFRESH_TOKEN_ERROR"];

/** `npm run doctor` (build/doctor.js) against the test's realm, with no client secret. */
const runDoctor = (env: Record<string, string>) =>
  runDoctorWith({ KEYCLOAK_URL: keycloak, KEYCLOAK_CLIENT_ID: clientId, ...env });

/** The facts /account shows from Keycloak's userinfo API, called with the access token. */
function userinfoFacts(html: string): string {
  const facts = /<dl[^>]*data-testid="api-facts"[^>]*>([\s\S]*?)<\/dl>/.exec(html);
  expect(facts, textOf(html).slice(0, 800)).not.toBeNull();
  return textOf(facts![1]!);
}

/** A fresh key as `*_CLIENT_PRIVATE_KEY` takes it: RS256 as a PEM, the others (and one with a chosen kid) as a private JWK. */
async function clientKey(alg: "RS256" | "ES256" | "EdDSA", kid?: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const value = alg === "RS256" && !kid ? await exportPKCS8(privateKey) : JSON.stringify({ ...jwk, kid });
  return { value, jwk };
}

/**
 * The app's client as the README's set-up says: Credentials > Client
 * Authenticator "Signed JWT" with `alg` (any when undefined), Keys > "Use JWKS URL" on, at the app.
 */
async function useSignedJwt(realm: string, alg: string | undefined, appUrl: string): Promise<void> {
  await admin.updateClient(realm, clientId, (client) => {
    client.clientAuthenticatorType = "client-jwt";
    client.attributes = {
      ...client.attributes,
      "use.jwks.url": "true",
      "jwks.url": `${appUrl}/auth/jwks.json`,
      ...(alg && { "token.endpoint.auth.signing.alg": alg }),
    };
  });
}

describe.each(["RS256", "ES256"] as const)("private_key_jwt (%s) at Keycloak's Signed JWT client", (alg) => {
  const realm = `client-jwt-${alg.toLowerCase()}`;
  let stack: KeycloakStack;
  /** Apps of the same client that sign with another key: under the kid Keycloak trusts, and under a kid of its own. */
  const wrongKeyStacks: Record<string, { stack: KeycloakStack; privateD: string }> = {};
  let key: Awaited<ReturnType<typeof clientKey>>;
  let app: string;

  beforeAll(async () => {
    await createTokensRealm(admin, realm, { enabledEventTypes: EVENT_TYPES });
    key = await clientKey(alg);
    // No secret at all: only the key can authenticate the client.
    const realmClients = { [realm]: { clientId, clientSecret: "" } };
    stack = await startKeycloakStack({
      realms: [realm],
      realmClients,
      env: { KEYCLOAK_CLIENT_PRIVATE_KEY: key.value },
    });
    app = stack.app.url;
    const trustedKid = ((await (await fetch(`${app}/auth/jwks.json`)).json()) as { keys: JWK[] }).keys[0]!.kid!;
    for (const [name, kid] of [
      ["trusted kid", trustedKid],
      ["own kid", undefined],
    ] as const) {
      const wrongKey = await clientKey(alg, kid);
      const env = { KEYCLOAK_CLIENT_PRIVATE_KEY: wrongKey.value };
      wrongKeyStacks[name] = {
        stack: await startKeycloakStack({ realms: [realm], realmClients, env }),
        privateD: wrongKey.jwk.d!,
      };
    }
    const appUrls = [app, ...Object.values(wrongKeyStacks).map((wrong) => wrong.stack.app.url)];
    await pointClientAt(admin, realm, clientId, appUrls);
    await useSignedJwt(realm, alg, app);
  });
  afterAll(async () => {
    for (const wrong of Object.values(wrongKeyStacks)) await wrong.stack.stop();
    await stack?.stop();
  });

  it("serves the public key at /auth/jwks.json, and nothing of the private key", async () => {
    const response = await fetch(`${app}/auth/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: JWK[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ alg, use: "sig", kty: key.jwk.kty, kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty("d");
    expect(keys[0]!.x ?? keys[0]!.n).toBe(key.jwk.x ?? key.jwk.n);
  });

  it("logs in and out: Keycloak's CODE_TO_TOKEN event says the signed JWT authenticated the client", async () => {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak, realm });
    const session = (await sessionIn(jar, app))!;
    expect(session.user).toMatchObject({ realm, username: "demo" });
    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    expect(textOf(await account.text())).toContain("Signed in as demo");

    const sid = decodeJwt(session.idToken).sid as string;
    const sessionIds = async () => (await admin.sessions(realm, "demo")).map((s) => s.id);
    expect(await sessionIds()).toContain(sid);
    await expect
      .poll(async () => (await eventsOf(realm, "CODE_TO_TOKEN")).filter((e) => e.sessionId === sid), RECORDED)
      .toEqual([expect.objectContaining({ details: expect.objectContaining({ client_auth_method: "client-jwt" }) })]);

    const logout = await browse(jar, `${app}/logout`, { form: {} });
    const { stop } = await sendEndSession(jar, logout, app, keycloak);
    expect(stop.url.startsWith(`${app}/logout/callback?state=`)).toBe(true);
    const loggedOut = await follow(jar, await browse(jar, stop.url), stop.url, app);
    expect(textOf(loggedOut.html!)).toContain("You are logged out");
    expect(await sessionIds()).not.toContain(sid);
    expect(await sessionIn(jar, app)).toBeNull();
  });

  it("renews the access token with the signed JWT too: Keycloak's REFRESH_TOKEN event says so", async () => {
    const jar = new CookieJar();
    await logInAtKeycloak(jar, { app, keycloak, realm });
    const before = (await sessionIn(jar, app))!.tokens!;
    const sid = decodeJwt((await sessionIn(jar, app))!.idToken).sid as string;

    // The realm's access tokens live 10 s, under the app's renewal margin: /account renews.
    const account = await browse(jar, `${app}/account`);
    expect(account.status).toBe(200);
    expect(userinfoFacts(await account.text())).toContain("demo@example.com");
    const after = (await sessionIn(jar, app))!.tokens!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);

    await expect
      .poll(async () => (await eventsOf(realm, "REFRESH_TOKEN")).filter((e) => e.sessionId === sid), RECORDED)
      .toEqual([expect.objectContaining({ details: expect.objectContaining({ client_auth_method: "client-jwt" }) })]);
    expect((await eventsOf(realm, "REFRESH_TOKEN_ERROR")).filter((e) => e.sessionId === sid)).toEqual([]);
  });

  it.each([
    [
      "under the kid of the key Keycloak trusts (only the signature tells)",
      {
        name: "trusted kid",
        event: "invalid_client_credentials",
        reason: "Client authentication with signed JWT failed: Signature on JWT token failed validation",
      },
    ],
    [
      "under a kid of its own (not in the JWKS Keycloak fetched)",
      { name: "own kid", event: "client_credentials_setup_required", reason: "Unable to load public key" },
    ],
  ])(
    "refuses the app with another private key %s: invalid_client, the app's error page, a log line without secrets",
    async (_, { name, event, reason }) => {
      const { stack: wrongKeyStack, privateD } = wrongKeyStacks[name]!;
      const wrongApp = wrongKeyStack.app.url;
      const refusalsBefore = (await eventsOf(realm, "CODE_TO_TOKEN_ERROR")).length;
      const jar = new CookieJar();
      const { page } = await startKeycloakLogin(jar, { app: wrongApp, keycloak, realm });
      const callbackUrl = await signInAtKeycloak(jar, page, { app: wrongApp, keycloak, realm });
      const code = new URL(callbackUrl).searchParams.get("code")!;
      const callback = await browse(jar, callbackUrl);

      expect(callback.status).toBe(502);
      const text = decodeEntities(textOf(await callback.text()));
      expect(text).toContain("This app cannot sign anyone in just now");
      expect(text).toContain("The identity provider refused this app's own credentials");
      // Keycloak's reason is for the log, not the page.
      expect(text).not.toContain(reason);
      expect(await sessionIn(jar, wrongApp)).toBeNull();

      // Keycloak refused the client, not the code or the user.
      await expect
        .poll(async () => (await eventsOf(realm, "CODE_TO_TOKEN_ERROR")).slice(refusalsBefore), RECORDED)
        .toEqual([expect.objectContaining({ error: event })]);

      // The app's own lines (remix-serve's access line has the callback URL: SECURITY.md, "Codes in access logs").
      const log = wrongKeyStack.app
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"));
      const failed = log.find((line) => line.includes('"event":"login_failed"'));
      expect(failed).toMatch(/"code":"client_rejected"/);
      expect(failed).toContain(`"detail":"token request: HTTP 400 invalid_client: ${reason}"`);
      for (const secret of [code, privateD]) expect(log.join("\n")).not.toContain(secret);
      expect(log.join("\n")).not.toMatch(/eyJ[\w-]+\.eyJ/);
    },
  );

  it("npm run doctor: the client credentials pass with the app's key, and another key is named as the problem with the fix", async () => {
    const healthy = await runDoctor({ APP_URL: app, KEYCLOAK_REALM: realm, KEYCLOAK_CLIENT_PRIVATE_KEY: key.value });
    expect(healthy.code, healthy.output).toBe(0);
    expect(healthy.output).toMatch(new RegExp(`✓ ${realm}: client credentials — remix-app: accepted`));

    const wrong = await runDoctor({
      APP_URL: app,
      KEYCLOAK_REALM: realm,
      KEYCLOAK_CLIENT_PRIVATE_KEY: (await clientKey(alg)).value,
    });
    expect(wrong.code).toBe(1);
    const lines = wrong.output.split("\n");
    const failed = lines.findIndex((line) => line.startsWith(`✗ ${realm}: client credentials`));
    expect(lines[failed]).toBe(
      `✗ ${realm}: client credentials — remix-app: refused with invalid_client: the signed JWT was not accepted ("Unable to load public key")`,
    );
    expect(lines[failed + 1]).toContain(`Keys > "Use JWKS URL" on with ${app}/auth/jwks.json`);
    expect(lines[failed + 1]).toContain("KEYCLOAK_CLIENT_PRIVATE_KEY");
  });

  // Last: it replaces the app (same URL, new key), and only that app stays registered at the client.
  it("takes the app's new key without an admin: restarted with another key at the same JWKS URL, a login soon succeeds", async () => {
    const port = stack.app.port;
    await stack.stop();
    const newKey = await clientKey(alg);
    stack = await startKeycloakStack({
      realms: [realm],
      realmClients: { [realm]: { clientId, clientSecret: "" } },
      env: { KEYCLOAK_CLIENT_PRIVATE_KEY: newKey.value },
      port,
    });
    const { keys } = (await (await fetch(`${app}/auth/jwks.json`)).json()) as { keys: JWK[] };
    expect(keys[0]!.x ?? keys[0]!.n).toBe(newKey.jwk.x ?? newKey.jwk.n);

    // Keycloak fetches the JWKS URL again for a kid it has not cached; should it still refuse for a while
    // (it throttles those fetches), the user's next try succeeds, and so does this one's.
    const refused: string[] = [];
    let jar = new CookieJar();
    await expect
      .poll(
        async () => {
          jar = new CookieJar();
          const { page } = await startKeycloakLogin(jar, { app, keycloak, realm });
          const callback = await browse(jar, await signInAtKeycloak(jar, page, { app, keycloak, realm }));
          if (callback.status !== 302) refused.push(`${callback.status}`);
          return callback.status;
        },
        { timeout: 40_000, interval: 1_000 },
      )
      .toBe(302);
    expect(refused.every((status) => status === "400")).toBe(true);
    const sid = decodeJwt((await sessionIn(jar, app))!.idToken).sid as string;
    await expect
      .poll(async () => (await eventsOf(realm, "CODE_TO_TOKEN")).filter((e) => e.sessionId === sid), RECORDED)
      .toEqual([
        expect.objectContaining({
          details: expect.objectContaining({
            client_auth_method: "client-jwt",
          }),
        }),
      ]);
    // Keycloak 26.7.3 also records the key id it verified (24.0.5 to 26.4.0 do not): the new key's.
    const [{ details }] = (await eventsOf(realm, "CODE_TO_TOKEN")).filter((e) => e.sessionId === sid) as [
      KeycloakEvent,
    ];
    expect(details!.client_jwt_kid ?? keys[0]!.kid).toBe(keys[0]!.kid);
  });
});

describe("an Ed25519 key at Keycloak's Signed JWT client", () => {
  const realm = "client-jwt-eddsa";
  let stack: KeycloakStack;
  let app: string;
  let key: string;
  beforeAll(async () => {
    await createTokensRealm(admin, realm, { enabledEventTypes: EVENT_TYPES });
    key = (await clientKey("EdDSA")).value;
    stack = await startKeycloakStack({
      realms: [realm],
      realmClients: { [realm]: { clientId, clientSecret: "" } },
      env: { KEYCLOAK_CLIENT_PRIVATE_KEY: key },
    });
    app = stack.app.url;
    // "Signature algorithm" left to any: Keycloak refuses EdDSA whatever it is set to.
    await useSignedJwt(realm, undefined, app);
  });
  afterAll(() => stack?.stop());

  it("is refused by Keycloak (invalid_client): the app's error page, and the doctor names the cause", async () => {
    const jar = new CookieJar();
    const { page } = await startKeycloakLogin(jar, { app, keycloak, realm });
    const callback = await browse(jar, await signInAtKeycloak(jar, page, { app, keycloak, realm }));
    expect(callback.status).toBe(502);
    expect(decodeEntities(textOf(await callback.text()))).toContain("This app cannot sign anyone in just now");
    // Keycloak 26.7.3 refuses the algorithm; 24.0.5, 25.0.6 and 26.4.0 take it, then fail to verify the signature.
    const detail = /"detail":"token request: HTTP 400 invalid_client: ([^"]*)"/.exec(stack.app.output());
    const reason = detail?.[1];
    expect([
      "Invalid signature algorithm",
      "Client authentication with signed JWT failed: Signature on JWT token failed validation",
    ]).toContain(reason);
    await expect
      .poll(async () => (await eventsOf(realm, "CODE_TO_TOKEN_ERROR")).map((e) => e.error), RECORDED)
      .toEqual(["invalid_client_credentials"]);

    const doctor = await runDoctor({
      APP_URL: app,
      KEYCLOAK_REALM: realm,
      KEYCLOAK_CLIENT_PRIVATE_KEY: key,
    });
    const lines = doctor.output.split("\n");
    const failed = lines.findIndex((line) => line.startsWith(`✗ ${realm}: client credentials`));
    expect(lines[failed]).toContain(`the signed JWT was not accepted ("${reason}")`);
    expect(lines[failed + 1]).toContain("use an RSA or EC key for KEYCLOAK_CLIENT_PRIVATE_KEY");
  });
});

describe("client secrets at Keycloak", () => {
  it("Keycloak's discovery offers both client_secret_basic and client_secret_post, and the app chooses Basic", async () => {
    const metadata = await discover(`${keycloak}/realms/demo`);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["client_secret_basic", "client_secret_post", "private_key_jwt"]),
    );
    // The form of the token request is what tells the two apart: Basic puts the secret in a header.
    const body = new URLSearchParams();
    const headers = new Headers();
    const auth = clientAuthentication(metadata, { clientSecret: "s3cret" });
    await auth(metadata, { client_id: clientId }, body, headers);
    expect(body.has("client_secret")).toBe(false);
    const basic = /^Basic (.+)$/.exec(headers.get("authorization") ?? "");
    expect(atob(basic![1]!).split(":").map(decodeURIComponent)).toEqual([clientId, "s3cret"]);
  });
});
