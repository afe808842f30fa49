// The checks of `npm run doctor`: each returns what it found and, when it
// fails, how to fix it. Nothing here prints, and no result ever holds a
// secret, a token or a credential.
import { createClient } from "@redis/client";
import type { AppConfig, ProviderConfig } from "../app/auth/config.server";
import { envName } from "../app/auth/config.server";

export interface CheckResult {
  /** Short, e.g. "demo: discovery". */
  name: string;
  ok: boolean;
  /** What was found; for a pass, a note worth reading. */
  detail?: string;
  /** For a failure: what to change, naming the variable or the Keycloak setting. */
  fix?: string;
}

/** The parts of a discovery document the checks read. */
export interface Discovered {
  issuer?: unknown;
  token_endpoint?: unknown;
  jwks_uri?: unknown;
  end_session_endpoint?: unknown;
  id_token_signing_alg_values_supported?: unknown;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Algorithms jose verifies with a public key; `none` and HS* (a shared secret) are not acceptable for ID tokens. */
const ASYMMETRIC_ALG = /^(?:(?:RS|PS|ES)(?:256|384|512)|ES256K|EdDSA|Ed25519|Ed448)$/;
const MIN_SECRET_LENGTH = 32;

// ---------------------------------------------------------------- app settings

/** APP_URL decides the redirect URIs and whether cookies are `Secure`. */
export function checkAppUrl(config: AppConfig): CheckResult {
  const name = "APP_URL";
  const { hostname } = new URL(config.appUrl);
  if (config.secureCookies) return { name, ok: true, detail: `${config.appUrl}: https, cookies are Secure` };
  if (LOOPBACK.has(hostname)) {
    return { name, ok: true, detail: `${config.appUrl}: http on this machine only, cookies are not Secure (fine for local use)` };
  }
  const problem = `${config.appUrl} is http on a public host: cookies are not Secure, so the session travels in clear`;
  if (!config.production) return { name, ok: true, detail: `warning: ${problem} (allowed because NODE_ENV is not production)` };
  return { name, ok: false, detail: problem, fix: FIXES.APP_URL };
}

/**
 * Every SESSION_SECRET entry long, not the development default, not obviously
 * weak. Entries are named by position only: never by value or length.
 */
export function checkSessionSecrets(config: AppConfig, devDefault: string | undefined): CheckResult {
  const name = "SESSION_SECRET";
  const secrets = config.sessionSecrets;
  if (secrets.length === 1 && secrets[0] === devDefault) {
    return { name, ok: false, detail: "not set: the app would use its development-only secret", fix: FIXES.SESSION_SECRET };
  }
  const problems = secrets.flatMap((secret, index) => {
    const weakness = secretWeakness(secret, devDefault);
    if (!weakness) return [];
    return [secrets.length === 1 ? `the secret is ${weakness}` : `entry ${index + 1} of ${secrets.length} is ${weakness}`];
  });
  if (problems.length > 0) return { name, ok: false, detail: problems.join("; "), fix: FIXES.SESSION_SECRET };
  const count = secrets.length === 1 ? "1 secret" : `${secrets.length} secrets (the first signs, all verify), each`;
  return { name, ok: true, detail: `${count} of at least ${MIN_SECRET_LENGTH} characters, not trivially weak` };
}

/** Why a secret is weak, or undefined. Pure, so it is easy to test with plain values. */
export function secretWeakness(secret: string, devDefault: string | undefined): string | undefined {
  if (secret === devDefault) return "the development-only default";
  if (secret.length < MIN_SECRET_LENGTH) return `shorter than ${MIN_SECRET_LENGTH} characters`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) => kind.test(secret)).length;
  if (classes < 2) return "made of one kind of character only (only letters, or only digits, …)";
  if (new Set(secret).size < 10) return "too repetitive (fewer than 10 different characters)";
  return undefined;
}

/** The one Redis all instances share for back-channel logouts: connect and PING. */
export async function checkRedis(redisUrl: string, timeoutMs: number): Promise<CheckResult> {
  const name = "REDIS_URL";
  const where = withoutCredentials(redisUrl);
  const client = createClient({ url: redisUrl, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on("error", () => {}); // the failure is reported by connect() or ping()
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeoutMs,
    );
    return { name, ok: true, detail: `${where} answered PING` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `${where}: ${describe(error)}`,
      fix: "check REDIS_URL (redis://[:password@]host:6379, rediss:// for TLS) and that Redis runs and accepts connections from this host; a single app instance can do without it (unset REDIS_URL)",
    };
  } finally {
    if (client.isOpen) client.destroy();
  }
}

// ---------------------------------------------------------------- per provider

export type Discovery =
  | { ok: true; url: string; document: Discovered }
  | { ok: false; url: string; result: CheckResult };

/** Fetches `${issuer}/.well-known/openid-configuration` (one trailing slash of the issuer dropped); the "discovery" check. */
export async function discover(provider: ProviderConfig, timeoutMs: number): Promise<Discovery> {
  const url = `${provider.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
  const name = `${provider.name}: discovery`;
  const shown = withoutCredentials(url);
  const vars = variables(provider);
  const response = await getJson(url, timeoutMs);
  if ("error" in response) {
    return {
      ok: false,
      url,
      result: {
        name,
        ok: false,
        detail: `${shown} unreachable: ${response.error}`,
        fix:
          provider.kind === "keycloak"
            ? `check ${vars.url} (now ${withoutCredentials(provider.keycloakUrl ?? "")}): Keycloak must run and be reachable from this host at that URL (DNS, firewall, proxy); add /auth for Keycloak before 17`
            : `check ${vars.url}: the provider must be reachable from this host at that URL (DNS, firewall, proxy)`,
      },
    };
  }
  if (response.status !== 200 || !isObject(response.body)) {
    const notFound = response.status === 404;
    return {
      ok: false,
      url,
      result: {
        name,
        ok: false,
        detail: `${shown} answered HTTP ${response.status}${notFound ? "" : " without a discovery document"}`,
        fix:
          provider.kind === "keycloak"
            ? notFound
              ? `no realm "${provider.name}" at ${vars.url}: check ${vars.realm} (realm names are case-sensitive) and ${vars.url} (add /auth for Keycloak before 17)`
              : `check ${vars.url}: it must be Keycloak's base URL, e.g. https://sso.example.com`
            : `check ${vars.url}: it must be the issuer, e.g. https://login.example.com (discovery lives at <issuer>/.well-known/openid-configuration)`,
      },
    };
  }
  return { ok: true, url, document: response.body as Discovered };
}

export function checkDiscovered(provider: ProviderConfig, discovery: Discovery & { ok: true }): CheckResult {
  const missing = (["token_endpoint", "jwks_uri"] as const).filter((field) => typeof discovery.document[field] !== "string");
  if (missing.length > 0) {
    return {
      name: `${provider.name}: discovery`,
      ok: false,
      detail: `${withoutCredentials(discovery.url)} has no ${missing.join(", ")}`,
      fix: `${variables(provider).url} does not point at an OpenID provider`,
    };
  }
  return { name: `${provider.name}: discovery`, ok: true, detail: withoutCredentials(discovery.url) };
}

/** The app refuses a discovery document naming another issuer (mix-up protection), so login would fail. */
export function checkIssuer(provider: ProviderConfig, document: Discovered): CheckResult {
  const name = `${provider.name}: issuer`;
  const expected = provider.issuer;
  const actual = typeof document.issuer === "string" ? document.issuer : "";
  if (actual === expected) return { name, ok: true, detail: expected };
  const vars = variables(provider);
  const detail = `discovery names issuer "${withoutCredentials(actual)}", the app expects "${withoutCredentials(expected)}"`;
  const expectedUrl = safeUrl(expected);
  const actualUrl = safeUrl(actual);
  if (provider.kind !== "keycloak") {
    return { name, ok: false, detail, fix: `set ${vars.url} to exactly "${withoutCredentials(actual)}" if that is the provider you mean` };
  }
  const proxyOrHostname =
    !expectedUrl || !actualUrl || expectedUrl.protocol !== actualUrl.protocol || expectedUrl.host !== actualUrl.host;
  const base = actual.replace(/\/realms\/[^/]+$/, "");
  return {
    name,
    ok: false,
    detail,
    fix: proxyOrHostname
      ? `set ${vars.url} to the URL Keycloak advertises (${withoutCredentials(base)}), or make Keycloak advertise ${withoutCredentials(provider.keycloakUrl ?? "")}: ` +
        `its hostname setting (KC_HOSTNAME=${withoutCredentials(provider.keycloakUrl ?? "")}) and, behind a reverse proxy, KC_PROXY_HEADERS=xforwarded ` +
        "with the proxy passing Host and X-Forwarded-Proto; browsers and this app must use the same URL"
      : `set ${vars.url} to "${withoutCredentials(base)}" (a path prefix such as /auth must match Keycloak's http-relative-path) and check ${vars.realm}`,
  };
}

export function checkEndSession(provider: ProviderConfig, document: Discovered): CheckResult {
  const name = `${provider.name}: end-session endpoint`;
  if (typeof document.end_session_endpoint === "string") {
    return { name, ok: true, detail: "logout ends the session at the provider too" };
  }
  return {
    name,
    ok: false,
    detail: "discovery has no end_session_endpoint",
    fix:
      "RP-initiated logout will be local only: users stay signed in at the provider and the next login needs no password. " +
      (provider.kind === "keycloak"
        ? "Keycloak always publishes it: check that KEYCLOAK_URL points at Keycloak itself, not at something in front of it"
        : "enable RP-initiated logout at the provider, or accept local-only logout"),
  };
}

/** ID tokens must be verifiable with a public key from the JWKS. */
export async function checkSigningKeys(provider: ProviderConfig, document: Discovered, timeoutMs: number): Promise<CheckResult> {
  const name = `${provider.name}: signing keys`;
  const fix =
    provider.kind === "keycloak"
      ? "give the realm an active RSA or EC signing key (Realm settings > Keys > Providers: rsa-generated) and sign ID tokens with it (client > Advanced > ID token signature algorithm: RS256)"
      : "the provider must publish an RSA, EC or EdDSA signing key and sign ID tokens with it";
  const advertised = Array.isArray(document.id_token_signing_alg_values_supported)
    ? document.id_token_signing_alg_values_supported.filter((alg): alg is string => typeof alg === "string")
    : undefined;
  if (advertised && !advertised.some((alg) => ASYMMETRIC_ALG.test(alg))) {
    return { name, ok: false, detail: `ID tokens are only signed with ${advertised.join(", ") || "nothing"} (none or a shared secret)`, fix };
  }
  const jwksUri = String(document.jwks_uri);
  const response = await getJson(jwksUri, timeoutMs);
  if ("error" in response || response.status !== 200) {
    const why = "error" in response ? response.error : `HTTP ${response.status}`;
    return {
      name,
      ok: false,
      detail: `JWKS ${withoutCredentials(jwksUri)} unreachable: ${why}`,
      fix: `jwks_uri must be reachable from this host; if its host differs from ${variables(provider).url}, fix Keycloak's hostname setting (KC_HOSTNAME)`,
    };
  }
  const keys = isObject(response.body) && Array.isArray(response.body.keys) ? response.body.keys : [];
  const algs = keys.map(signingAlg).filter((alg): alg is string => alg !== undefined);
  if (algs.length === 0) return { name, ok: false, detail: `the JWKS has no RSA, EC or EdDSA signing key (${keys.length} keys)`, fix };
  const idTokens = advertised ? `; ID tokens: ${advertised.filter((alg) => ASYMMETRIC_ALG.test(alg)).join(", ")}` : "";
  return { name, ok: true, detail: `${algs.length} signing key${algs.length === 1 ? "" : "s"} (${[...new Set(algs)].join(", ")})${idTokens}` };
}

/**
 * Probes the client id and secret with a `client_credentials` grant (HTTP
 * Basic, like the app's code exchange). Keycloak and oidc-provider both
 * authenticate the client before they look at the grant, so anything but
 * `invalid_client` (or Keycloak's `unauthorized_client` "Invalid client or
 * Invalid client credentials", its answer to a wrong secret) means the
 * credentials were accepted. Keycloak answers 401
 * `unauthorized_client` when "Service accounts" is off: the status alone says nothing.
 */
export async function checkClient(provider: ProviderConfig, document: Discovered, timeoutMs: number): Promise<CheckResult> {
  const name = `${provider.name}: client credentials`;
  const vars = variables(provider);
  if (!provider.clientSecret) {
    return {
      name,
      ok: true,
      detail: `note: ${provider.clientId} is a public client (no secret), which cannot be probed; the provider must have "Client authentication" off for it`,
    };
  }
  if (typeof document.token_endpoint !== "string") return { name, ok: false, detail: "discovery has no token_endpoint" };
  const credentials = `${formEncode(provider.clientId)}:${formEncode(provider.clientSecret)}`;
  let status: number;
  let body: Record<string, unknown>;
  try {
    const response = await fetch(document.token_endpoint, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(credentials).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
      },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    // Only the error fields are kept: a 200 holds an access token, which is never printed.
    const json: unknown = await response.json().catch(() => ({}));
    body = isObject(json) ? { error: json.error, error_description: json.error_description } : {};
  } catch (error) {
    return { name, ok: false, detail: `token endpoint unreachable: ${describe(error)}`, fix: `the token endpoint must be reachable from this host (check ${vars.url})` };
  }
  let error = typeof body.error === "string" ? body.error : undefined;
  // Keycloak 26 answers a wrong secret for an existing client with 401
  // unauthorized_client, told apart from "Service accounts off" only by its description.
  if (error === "unauthorized_client" && body.error_description === "Invalid client or Invalid client credentials") error = "invalid_client";
  if (status === 200) {
    return {
      name,
      ok: true,
      detail: `${provider.clientId}: accepted (note: client_credentials is enabled for it; this app does not need "Service accounts")`,
    };
  }
  if (error === "unauthorized_client" || error === "unsupported_grant_type" || error === "invalid_scope") {
    return { name, ok: true, detail: `${provider.clientId}: accepted (client_credentials itself is not enabled: ${error}, as expected)` };
  }
  if (error === "invalid_client") {
    return {
      name,
      ok: false,
      detail: `${provider.clientId}: refused with invalid_client: client id or secret wrong`,
      fix:
        provider.kind === "keycloak"
          ? `set ${vars.secret} to the secret in Keycloak > realm ${provider.name} > Clients > ${provider.clientId} > Credentials, and check ${vars.clientId} names a client of that realm with "Client authentication" on`
          : `check ${vars.clientId} and ${vars.secret} against the client registered at the provider`,
    };
  }
  const reason = [error, typeof body.error_description === "string" ? body.error_description : undefined].filter(Boolean).join(": ");
  return {
    name,
    ok: false,
    detail: `${provider.clientId}: unexpected answer HTTP ${status}${reason ? ` ${reason}` : ""}`,
    fix: status >= 500 ? "the provider failed: see its logs" : `check the client ${provider.clientId} at the provider (enabled, confidential)`,
  };
}

// ---------------------------------------------------------------- configuration

/** What to do about one problem reported by `parseConfig`, by the variable it names. */
export function fixForProblem(variable: string): string {
  if (variable in FIXES) return FIXES[variable as keyof typeof FIXES];
  if (variable.startsWith("KEYCLOAK_REALM_") || variable.startsWith("OIDC_PROVIDER")) {
    return `set ${variable} as docs/DEPLOY.md (Environment) describes`;
  }
  return "set the variable as docs/DEPLOY.md (Environment) describes, in the service's EnvironmentFile";
}

const FIXES = {
  APP_URL:
    "serve the app over https behind a TLS-terminating proxy and set APP_URL=https://app.example.com (its public origin, no path); http is only for localhost or 127.0.0.1",
  SESSION_SECRET:
    'generate one with `openssl rand -base64 48`; to rotate without logging everyone out, prepend it: SESSION_SECRET="<new>,<old>"',
  KEYCLOAK_URL: "set KEYCLOAK_URL to Keycloak's public base URL, e.g. https://sso.example.com (add /auth for Keycloak before 17)",
  KEYCLOAK_REALM: "set KEYCLOAK_REALM to the realm's name as shown in Keycloak's admin console, e.g. demo",
  KEYCLOAK_REALMS: "list more realms comma-separated, e.g. KEYCLOAK_REALMS=acme,globex",
  KEYCLOAK_CLIENT_ID: "set KEYCLOAK_CLIENT_ID to the client id of this app in Keycloak (Clients), e.g. remix-app",
  KEYCLOAK_LOGOUT_METHOD: 'set KEYCLOAK_LOGOUT_METHOD to "post" (the default) or "redirect"',
  OIDC_PROVIDERS: "list provider names comma-separated, each different from every realm name",
  SESSION_MAX_AGE: "set SESSION_MAX_AGE to a number of seconds, e.g. 28800, or unset it",
  IDP_TIMEOUT_MS: "set IDP_TIMEOUT_MS to a number of milliseconds, e.g. 5000, or unset it",
  REDIS_URL: "set REDIS_URL to redis://host:6379 (rediss:// for TLS), or unset it with a single instance",
} as const;

// ---------------------------------------------------------------- helpers

/** Which variables configure this provider, for the fix lines. */
function variables(provider: ProviderConfig) {
  const name = envName(provider.name);
  if (provider.kind === "keycloak") {
    return {
      url: "KEYCLOAK_URL",
      realm: "KEYCLOAK_REALM/KEYCLOAK_REALMS",
      clientId: `KEYCLOAK_CLIENT_ID (or KEYCLOAK_REALM_${name}_CLIENT_ID)`,
      secret: `KEYCLOAK_CLIENT_SECRET (or KEYCLOAK_REALM_${name}_CLIENT_SECRET)`,
    };
  }
  const prefix = `OIDC_PROVIDER_${name}`;
  return { url: `${prefix}_ISSUER`, realm: "OIDC_PROVIDERS", clientId: `${prefix}_CLIENT_ID`, secret: `${prefix}_CLIENT_SECRET` };
}

async function getJson(url: string, timeoutMs: number): Promise<{ status: number; body: unknown } | { error: string }> {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(timeoutMs) });
    const body: unknown = await response.json().catch(() => undefined);
    return { status: response.status, body };
  } catch (error) {
    return { error: describe(error, timeoutMs) };
  }
}

/** The algorithm a JWK verifies signatures with, when it is an asymmetric signing key. */
function signingAlg(key: unknown): string | undefined {
  if (!isObject(key) || key.use === "enc") return undefined;
  if (typeof key.alg === "string") return ASYMMETRIC_ALG.test(key.alg) ? key.alg : undefined;
  // Keys without "alg" are usable for any algorithm of their type.
  return ({ RSA: "RSA", EC: "EC", OKP: "EdDSA" } as Record<string, string>)[String(key.kty)];
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A short reason for a network error, e.g. "ECONNREFUSED" or "no answer within 5000 ms (IDP_TIMEOUT_MS)". */
function describe(error: unknown, timeoutMs?: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs ?? "the timeout"} ms (IDP_TIMEOUT_MS)`;
  }
  // fetch() throws "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a TLS error) is its cause.
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const code = (error as { code?: unknown })?.code;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${withoutCredentials(cause.message)})` : ""}`;
  if (cause?.message) return withoutCredentials(cause.message);
  if (typeof code === "string" && code) return code;
  return error instanceof Error ? withoutCredentials(error.message) : String(error);
}

/** The URL without user name and password, for printing. */
function withoutCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1");
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 6749 2.3.1: both parts are form-encoded before Basic encoding. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}
