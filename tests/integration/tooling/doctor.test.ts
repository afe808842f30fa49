// `npm run doctor` (build/doctor.js, from `npm run build`) against the embedded
// IdP: a healthy set-up, then one broken thing at a time.
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

import { exportJWK, generateKeyPair } from "jose";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { DEV_SESSION_SECRET } from "../../../app/auth/core/config.server";
import { secretWeakness } from "../../../scripts/doctor/settings";
import { freePort, TEST_CLIENT, TEST_SESSION_SECRET } from "../../support/app";
import { startRedis } from "../../support/redis";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const APP_URL = "http://localhost:3000";
const WRONG_CLIENT_SECRET = "wrong-client-secret-5b1e9c7d";
const SHORT_SESSION_SECRET = "short-secret-8f3a";
const REPEATED_SESSION_SECRET = "a".repeat(48);
/** A Redis password with "@" in it, as a person would paste it into REDIS_URL. */
const AT_SIGN_REDIS_PASSWORD = "p@ssw0rd-SECRET-tail";

type Idp = Awaited<ReturnType<typeof startIdp>>;
let idp: Idp;
let redis: Awaited<ReturnType<typeof startRedis>>;
let closedPort: number;
/** Everything the doctor printed in this file, for the "never prints secrets" test. */
const outputs: string[] = [];

const client = (realm: string) => appClient(APP_URL, realm, TEST_CLIENT);

beforeAll(async () => {
  [idp, redis, closedPort] = await Promise.all([
    startIdp({
      realms: {
        demo: { clients: [client("demo")] },
        nologout: { clients: [client("nologout")], endSession: false },
        open: {
          clients: [
            {
              clientId: "public-app",
              redirectUris: [`${APP_URL}/auth/open/callback`, `${APP_URL}/auth/partner/callback`],
              postLogoutRedirectUris: [`${APP_URL}/logout/callback`],
            },
          ],
        },
        // The app's callback registered with another path, as a typo in the client's "Valid redirect URIs" would.
        noredirect: { clients: [{ ...client("noredirect"), redirectUris: [`${APP_URL}/auth/noredirect/callbak`] }] },
        // "Valid post logout redirect URIs" left empty.
        nopostlogout: { clients: [{ ...client("nopostlogout"), postLogoutRedirectUris: [] }] },
      },
    }),
    startRedis(),
    freePort(),
  ]);
});

afterAll(async () => {
  await Promise.all([idp?.close(), redis?.stop()]);
});

/** A working configuration for realm demo; `undefined` removes a variable. */
function healthyEnv(): Record<string, string> {
  return {
    NODE_ENV: "production",
    APP_URL,
    KEYCLOAK_URL: idp.url,
    KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: TEST_CLIENT.clientId,
    KEYCLOAK_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    SESSION_SECRET: TEST_SESSION_SECRET,
    IDP_TIMEOUT_MS: "3000",
  };
}

/** Runs the built doctor with exactly this environment (PATH aside): nothing is inherited from the test process. */
function runDoctor(overrides: Record<string, string | undefined> = {}): Promise<{ code: number; output: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
  for (const [name, value] of Object.entries({ ...healthyEnv(), ...overrides }))
    if (value !== undefined) env[name] = value;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["build/doctor.js"],
      { cwd: root, env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 20_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        outputs.push(output);
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, output });
      },
    );
  });
}

const checkLines = (output: string) => output.split("\n").filter((line) => /^[✓✗] /.test(line));
const failedLines = (output: string) => checkLines(output).filter((line) => line.startsWith("✗"));
/** The "fix:" line printed right under a failed check. */
function fixUnder(output: string, failed: string): string {
  const lines = output.split("\n");
  return lines[lines.indexOf(failed) + 1] ?? "";
}

describe("npm run doctor", () => {
  it("passes every check and exits 0 for a healthy set-up with Redis", async () => {
    const healthy = await runDoctor({ REDIS_URL: redis.url });
    expect(healthy.code, healthy.output).toBe(0);
    const lines = checkLines(healthy.output);
    expect(lines.map((line) => line.split(" — ")[0])).toEqual([
      "✓ APP_URL",
      "✓ SESSION_SECRET",
      "✓ REDIS_URL",
      "✓ demo: discovery",
      "✓ demo: issuer",
      "✓ demo: end-session endpoint",
      "✓ demo: signing keys",
      "✓ demo: client credentials",
      "✓ demo: redirect URI",
      "✓ demo: post-logout redirect URI",
    ]);
    expect(healthy.output).toContain("✓ demo: signing keys — 1 signing key (RS256)");
    // oidc-provider, like Keycloak with "Service accounts" off, refuses the grant only after accepting the client.
    expect(healthy.output).toMatch(
      /✓ demo: client credentials — remix-app: accepted \(client_credentials itself is not enabled: unsupported_grant_type/,
    );
    expect(healthy.output).toContain("✓ demo: redirect URI — http://localhost:3000/auth/demo/callback is registered");
    expect(healthy.output).toContain(
      "✓ demo: post-logout redirect URI — http://localhost:3000/logout/callback is registered",
    );
    expect(healthy.output).toContain("All 10 checks passed.");
    expect(healthy.output).toContain(
      'Not checked (they need admin access): which way a logout elsewhere reaches the app. Either back-channel: "Front channel logout" Off, "Backchannel logout URL" http://localhost:3000/auth/{realm}/backchannel-logout',
    );
    expect(healthy.output).toContain(
      '"Front-channel logout URL" http://localhost:3000/auth/{realm}/frontchannel-logout, "session required" On.',
    );
    expect(healthy.output).not.toContain("fix:");
  });

  it("notes that a public client cannot be probed, without failing", async () => {
    const { code, output } = await runDoctor({
      KEYCLOAK_REALM: "open",
      KEYCLOAK_CLIENT_ID: "public-app",
      KEYCLOAK_CLIENT_SECRET: undefined,
    });
    expect(code, output).toBe(0);
    expect(output).toMatch(
      /^✓ open: client credentials — note: public-app is a public client \(no secret\), which cannot be probed/m,
    );
  });

  it("checks an OpenID provider configured with OIDC_PROVIDERS like a realm", async () => {
    const { code, output } = await runDoctor({
      OIDC_PROVIDERS: "partner",
      OIDC_PROVIDER_PARTNER_ISSUER: idp.issuer("open"),
      OIDC_PROVIDER_PARTNER_CLIENT_ID: "public-app",
    });
    expect(code, output).toBe(0);
    expect(checkLines(output).filter((line) => line.startsWith("✓ partner: "))).toHaveLength(7);
  });

  const broken: { what: string; env: () => Record<string, string | undefined>; line: RegExp; fix: RegExp }[] = [
    {
      what: "an unreachable IdP (a closed port)",
      env: () => ({ KEYCLOAK_URL: `http://127.0.0.1:${closedPort}` }),
      line: /^✗ demo: discovery — http:\/\/127\.0\.0\.1:\d+\/realms\/demo\/\.well-known\/openid-configuration unreachable: ECONNREFUSED/,
      fix: /^ {4}fix: check KEYCLOAK_URL \(now http:\/\/127\.0\.0\.1:\d+\): Keycloak must run and be reachable/,
    },
    {
      what: "a wrong realm (discovery answers 404)",
      env: () => ({ KEYCLOAK_REALM: "nope" }),
      line: /^✗ nope: discovery — .* answered HTTP 404$/,
      fix: /fix: no realm "nope" at KEYCLOAK_URL: check KEYCLOAK_REALM\/KEYCLOAK_REALMS/,
    },
    {
      what: "an issuer mismatch (KEYCLOAK_URL with localhost, the IdP's issuer with 127.0.0.1)",
      env: () => ({ KEYCLOAK_URL: idp.url.replace("127.0.0.1", "localhost") }),
      line: /^✗ demo: issuer — the provider answered, but as another issuer: "http:\/\/127\.0\.0\.1:\d+\/realms\/demo" \(the app expects "http:\/\/localhost:\d+\/realms\/demo"\)$/,
      fix: /fix: set KEYCLOAK_URL to the URL Keycloak advertises \(http:\/\/127\.0\.0\.1:\d+\).*KC_HOSTNAME=http:\/\/localhost:\d+.*KC_PROXY_HEADERS=xforwarded/,
    },
    {
      what: "a wrong client secret",
      env: () => ({ KEYCLOAK_CLIENT_SECRET: WRONG_CLIENT_SECRET }),
      line: /^✗ demo: client credentials — remix-app: refused with invalid_client: client id or secret wrong$/,
      fix: /fix: set KEYCLOAK_CLIENT_SECRET \(or KEYCLOAK_REALM_DEMO_CLIENT_SECRET\) to the secret in Keycloak > realm demo > Clients > remix-app > Credentials/,
    },
    {
      what: "a realm without an end-session endpoint",
      env: () => ({ KEYCLOAK_REALM: "nologout" }),
      line: /^✗ nologout: end-session endpoint — discovery has no end_session_endpoint$/,
      fix: /fix: RP-initiated logout will be local only/,
    },
    {
      what: "a client without the app's callback among its redirect URIs",
      env: () => ({ KEYCLOAK_REALM: "noredirect" }),
      line: /^✗ noredirect: redirect URI — http:\/\/localhost:3000\/auth\/noredirect\/callback refused: HTTP 400 "Invalid parameter: redirect_uri"$/,
      fix: /^ {4}fix: add http:\/\/localhost:3000\/auth\/noredirect\/callback to Keycloak > realm noredirect > Clients > remix-app > Valid redirect URIs/,
    },
    {
      what: "a client without the app's logout callback among its post-logout redirect URIs",
      env: () => ({ KEYCLOAK_REALM: "nopostlogout" }),
      line: /^✗ nopostlogout: post-logout redirect URI — http:\/\/localhost:3000\/logout\/callback refused: HTTP 400 "Invalid redirect uri"$/,
      fix: /^ {4}fix: add http:\/\/localhost:3000\/logout\/callback to Keycloak > realm nopostlogout > Clients > remix-app > Valid post logout redirect URIs/,
    },
    {
      what: "a short SESSION_SECRET in production (the server would not start)",
      env: () => ({ SESSION_SECRET: SHORT_SESSION_SECRET }),
      line: /^✗ SESSION_SECRET — .*at least 32 characters/,
      fix: /fix: generate one with `openssl rand -base64 48`/,
    },
    {
      what: "a short SESSION_SECRET outside production",
      env: () => ({ NODE_ENV: "development", SESSION_SECRET: SHORT_SESSION_SECRET }),
      line: /^✗ SESSION_SECRET — the secret is shorter than 32 characters$/,
      fix: /fix: generate one with `openssl rand -base64 48`/,
    },
    {
      what: "a long but repetitive SESSION_SECRET among two",
      env: () => ({ NODE_ENV: "development", SESSION_SECRET: `${REPEATED_SESSION_SECRET},${TEST_SESSION_SECRET}` }),
      line: /^✗ SESSION_SECRET — entry 1 of 2 is too repetitive/,
      fix: /prepend it: SESSION_SECRET="<new>,<old>"/,
    },
    {
      what: "no SESSION_SECRET outside production (the development default)",
      env: () => ({ NODE_ENV: "development", SESSION_SECRET: undefined }),
      line: /^✗ SESSION_SECRET — not set: the app would use its development-only secret$/,
      fix: /fix: generate one/,
    },
    {
      what: "NODE_ENV=production with APP_URL http://app.example.com",
      env: () => ({ APP_URL: "http://app.example.com" }),
      line: /^✗ APP_URL — .*http:\/\/app\.example\.com/,
      fix: /fix: serve the app over https behind a TLS-terminating proxy and set APP_URL=https:\/\/app\.example\.com/,
    },
    {
      what: "an unreachable Redis",
      env: () => ({ REDIS_URL: `redis://:redis-password-77@127.0.0.1:${closedPort}` }),
      line: /^✗ REDIS_URL — redis:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/,
      fix: /fix: check REDIS_URL/,
    },
    {
      what: "an unreachable Redis whose user and password hold @",
      env: () => ({ REDIS_URL: `redis://app-user:${AT_SIGN_REDIS_PASSWORD}@127.0.0.1:${closedPort}` }),
      line: /^✗ REDIS_URL — redis:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/,
      fix: /fix: check REDIS_URL/,
    },
    {
      what: "a REDIS_URL with @ in its password that is not a URL (the server would not start)",
      env: () => ({ REDIS_URL: `redis://:${AT_SIGN_REDIS_PASSWORD}@127.0.0.1:port` }),
      line: /^✗ REDIS_URL — is not a Redis URL: write it as redis:\/\/\[\[user\]:password@\]host/,
      fix: /fix: set REDIS_URL to redis:\/\/host:6379/,
    },
  ];

  it.each(broken)("exits 1 and names the one failing check and its fix for $what", async ({ env, line, fix }) => {
    const { code, output } = await runDoctor(env());
    expect(code, output).toBe(1);
    const failed = failedLines(output);
    expect(failed, output).toHaveLength(1);
    expect(failed[0]).toMatch(line);
    expect(fixUnder(output, failed[0]!)).toMatch(fix);
  });

  it("oidcc-client-test-discovery-issuer-mismatch: says an OpenID provider answered as another issuer, naming both, and what to set", async () => {
    const { code, output } = await runDoctor({
      OIDC_PROVIDERS: "partner",
      OIDC_PROVIDER_PARTNER_ISSUER: idp.issuer("open").replace("127.0.0.1", "localhost"),
      OIDC_PROVIDER_PARTNER_CLIENT_ID: "public-app",
    });
    expect(code, output).toBe(1);
    const failed = failedLines(output);
    expect(failed, output).toEqual([
      expect.stringMatching(
        /^✗ partner: issuer — the provider answered, but as another issuer: "http:\/\/127\.0\.0\.1:\d+\/realms\/open" \(the app expects "http:\/\/localhost:\d+\/realms\/open"\)$/,
      ),
    ]);
    expect(fixUnder(output, failed[0]!)).toMatch(
      /^ {4}fix: set OIDC_PROVIDER_PARTNER_ISSUER to exactly "http:\/\/127\.0\.0\.1:\d+\/realms\/open" if that is the provider you mean$/,
    );
    expect(output).not.toMatch(/partner: discovery .*unreachable/);
  });
});

/**
 * Keycloak's token endpoint for a client_credentials grant, as in its
 * TokenEndpoint and ClientCredentialsGrantType: the client is authenticated
 * first (401 invalid_client), then, with "Service accounts" off, refused with
 * 401 unauthorized_client. oidc-provider cannot be made to answer 401 for
 * good credentials, so this one answer is served by hand.
 */
async function startKeycloakTokenEndpoint(): Promise<{ url: string; close(): Promise<void> }> {
  const { publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server = http.createServer(async (req, res) => {
    for await (const _ of req); // drain the body
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/kc`;
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    if (req.url === "/realms/kc/.well-known/openid-configuration") {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        end_session_endpoint: `${issuer}/protocol/openid-connect/logout`,
        id_token_signing_alg_values_supported: [
          "PS384",
          "RS384",
          "EdDSA",
          "ES384",
          "HS256",
          "HS512",
          "ES256",
          "RS256",
          "HS384",
          "ES512",
          "PS256",
          "PS512",
          "RS512",
        ],
      });
    }
    if (req.url === "/realms/kc/protocol/openid-connect/certs") {
      return json(200, { keys: [jwk, { kid: "enc", kty: "RSA", alg: "RSA-OAEP", use: "enc", n: jwk.n, e: jwk.e }] });
    }
    if (req.url === "/realms/kc/protocol/openid-connect/token" && req.method === "POST") {
      // Both parts are form-encoded before Basic encoding (RFC 6749 2.3.1), as oauth4webapi sends them.
      const [id, secret] = Buffer.from((req.headers.authorization ?? "").slice(6), "base64")
        .toString()
        .split(":")
        .map(decodeURIComponent);
      const knownClient = id === TEST_CLIENT.clientId;
      // As Keycloak 26.7 answers (tests/integration/keycloak/doctor.test.ts): a wrong secret is unauthorized_client too.
      return knownClient && secret === TEST_CLIENT.clientSecret
        ? json(401, {
            error: "unauthorized_client",
            error_description: "Client not enabled to retrieve service account",
          })
        : json(401, {
            error: knownClient ? "unauthorized_client" : "invalid_client",
            error_description: "Invalid client or Invalid client credentials",
          });
    }
    // Registered redirect URIs: a silent login goes back with login_required, a logout without a hint asks to confirm.
    const { pathname, searchParams } = new URL(req.url ?? "/", issuer);
    if (pathname === "/realms/kc/protocol/openid-connect/auth") {
      return res.writeHead(302, { Location: `${searchParams.get("redirect_uri")}?error=login_required` }).end();
    }
    if (pathname === "/realms/kc/protocol/openid-connect/logout")
      return res.writeHead(200).end("Do you want to log out?");
    json(404, { error: "Realm does not exist" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("npm run doctor against Keycloak's client_credentials answers", () => {
  let keycloak: Awaited<ReturnType<typeof startKeycloakTokenEndpoint>>;
  beforeAll(async () => {
    keycloak = await startKeycloakTokenEndpoint();
  });
  afterAll(() => keycloak?.close());

  it("passes on 401 unauthorized_client (right credentials, Service accounts off)", async () => {
    const { code, output } = await runDoctor({ KEYCLOAK_URL: keycloak.url, KEYCLOAK_REALM: "kc" });
    expect(code, output).toBe(0);
    expect(output).toContain(
      "✓ kc: client credentials — remix-app: accepted (client_credentials itself is not enabled: unauthorized_client, as expected)",
    );
    expect(output).toContain("✓ kc: signing keys — 1 signing key (RS256)");
  });

  it('fails on 401 unauthorized_client "Invalid client or Invalid client credentials" (wrong secret)', async () => {
    const { code, output } = await runDoctor({
      KEYCLOAK_URL: keycloak.url,
      KEYCLOAK_REALM: "kc",
      KEYCLOAK_CLIENT_SECRET: WRONG_CLIENT_SECRET,
    });
    expect(code, output).toBe(1);
    expect(failedLines(output)).toEqual([
      "✗ kc: client credentials — remix-app: refused with invalid_client: client id or secret wrong",
    ]);
  });
});

describe("every doctor run above", () => {
  it("never prints a secret, a credential or any part of one", async () => {
    await runDoctor({ REDIS_URL: `redis://:redis-password-77@127.0.0.1:${closedPort}` });
    expect(outputs.length).toBeGreaterThan(15);
    const secrets = [
      TEST_CLIENT.clientSecret,
      WRONG_CLIENT_SECRET,
      TEST_SESSION_SECRET,
      SHORT_SESSION_SECRET,
      REPEATED_SESSION_SECRET,
      "redis-password-77",
      AT_SIGN_REDIS_PASSWORD,
      AT_SIGN_REDIS_PASSWORD.split("@")[1]!,
      "app-user",
    ];
    const basic = (secret: string) => Buffer.from(`${TEST_CLIENT.clientId}:${secret}`).toString("base64");
    for (const output of outputs) {
      for (const secret of secrets) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain(secret.slice(0, 10));
        expect(output).not.toContain(secret.slice(-10));
        expect(output).not.toContain(basic(secret));
      }
    }
  });
});

describe("secretWeakness", () => {
  it.each([
    ["a 64-character base64 secret", "u9Jp0s3kQ2v8Xw1Lr5Tn7Yb4Hc6Md0Fg2Ke9Az3Wq8Ps1Ox5Vi7Nj4Ul6Ct0Rb2Ey", undefined],
    ["a 64-character hex secret", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", undefined],
    ["the development default", DEV_SESSION_SECRET, "the development-only default"],
    ["31 characters", "Ab1-".repeat(8).slice(0, 31), "shorter than 32 characters"],
    ["40 random lowercase letters", "kqjzvhxwtmrbnpyfgdlsceuaoiwxqmzkrvjhtbnp", undefined],
    ["one repeated character", "x".repeat(40), "too repetitive (fewer than 10 different characters)"],
    ["one short piece repeated", "1234567890".repeat(4), "one short piece repeated"],
    ["few different characters", "ab12".repeat(10), "too repetitive (fewer than 10 different characters)"],
  ])("judges %s", (_, secret, expected) => {
    expect(secretWeakness(secret)).toBe(expected);
  });
});
