import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { LogoutMethod } from "./end-session.server";
import { ConfigError } from "./errors";
import { keycloakIssuer } from "./keycloak.server";

/** One place users can log in: a Keycloak realm or another OpenID provider. */
export interface ProviderConfig {
  /** The strategy name and the `:realm` route segment; recorded in the session. */
  name: string;
  kind: "keycloak" | "oidc";
  /** What the login picker shows. */
  label: string;
  /** Exactly as configured (an issuer is an identifier: a trailing slash is part of it). */
  issuer: string;
  /** Keycloak's base URL, for `kind: "keycloak"`. */
  keycloakUrl?: string;
  clientId: string;
  /** `null` for a public client. */
  clientSecret: string | null;
  /** For `private_key_jwt` client authentication; its public half is served at `/auth/jwks.json`. */
  clientPrivateKey: ClientPrivateKey | null;
  /** Unset: the provider's default (`post` for Keycloak, `redirect` for others). */
  logoutMethod?: LogoutMethod;
}

/** A client's private signing key, as a JWK with the `kid` and `alg` it signs with. */
export interface ClientPrivateKey {
  jwk: JsonWebKey;
  kid: string;
  alg: "RS256" | "ES256" | "ES384" | "EdDSA";
}

export interface AppConfig {
  /** Public origin of the app, without a trailing slash: redirect URIs are built from it, never from `Host`. */
  appUrl: string;
  production: boolean;
  /** The first signs, all verify, so secrets can rotate without logging everyone out. */
  sessionSecrets: readonly string[];
  /** Absolute session lifetime in seconds: activity does not extend it. */
  sessionMaxAge: number;
  /** Cookies are `Secure` exactly when `APP_URL` is https. */
  secureCookies: boolean;
  /** Where `/login` goes when there is no choice to make. */
  defaultProvider: string;
  /** Keycloak realms first (the default one first), then other OpenID providers. */
  providers: readonly ProviderConfig[];
  /** Timeout for every call to the identity provider. */
  idpTimeoutMs: number;
  /** Where back-channel logouts are shared between instances; `null`: in memory, one process. */
  redisUrl: string | null;
  /**
   * `cookie`: sessions in the encrypted cookie, and in Redis only when one would exceed the cookie
   * budget and `redisUrl` is set; `redis`: every session in Redis, the cookie holds only its id.
   */
  sessionStore: "cookie" | "redis";
}

type Env = Record<string, string | undefined>;

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Used when SESSION_SECRET is unset outside production; the doctor flags it. */
export const DEV_SESSION_SECRET = "dev-only-session-secret-never-use-in-production";
const MIN_SECRET_LENGTH = 32;
/** A realm or provider name must be usable as it is as one URL path segment and in a cookie name. */
const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Parses the environment into a frozen config, or throws a ConfigError listing every bad variable. */
export function parseConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === "production";
  const read = (name: string) => env[name]?.trim() || undefined;

  const appUrl = parseOrigin("APP_URL", read("APP_URL") ?? "http://localhost:3000", problems);
  if (production && appUrl?.startsWith("http:") && !LOCAL_HOSTS.has(new URL(appUrl).hostname)) {
    problems.push(`APP_URL must be https in production (http only for localhost or 127.0.0.1), got "${appUrl}"`);
  }

  const keycloakUrl = read("KEYCLOAK_URL");
  if (!keycloakUrl) problems.push("KEYCLOAK_URL is required: the base URL of Keycloak, e.g. https://sso.example.com");
  else parseHttpUrl("KEYCLOAK_URL", keycloakUrl, problems);

  const defaultRealm = read("KEYCLOAK_REALM");
  if (!defaultRealm) problems.push("KEYCLOAK_REALM is required: the name of the Keycloak realm, e.g. demo");
  const realmNames = unique([defaultRealm, ...list(read("KEYCLOAK_REALMS"))]);
  const oidcNames = unique(list(read("OIDC_PROVIDERS")));

  const keycloakLogoutMethod = parseLogoutMethod("KEYCLOAK_LOGOUT_METHOD", read("KEYCLOAK_LOGOUT_METHOD"), problems);
  const keycloakPrivateKey = parsePrivateKey("KEYCLOAK_CLIENT_PRIVATE_KEY", read("KEYCLOAK_CLIENT_PRIVATE_KEY"), problems);
  const providers: ProviderConfig[] = [];
  for (const name of realmNames) {
    if (!validName(name, name === defaultRealm ? "KEYCLOAK_REALM" : "KEYCLOAK_REALMS", problems)) continue;
    const prefix = `KEYCLOAK_REALM_${envName(name)}`;
    const clientId = read(`${prefix}_CLIENT_ID`) ?? read("KEYCLOAK_CLIENT_ID");
    if (!clientId) problems.push(`KEYCLOAK_CLIENT_ID is required (or ${prefix}_CLIENT_ID): the client id of this app in realm ${name}`);
    providers.push({
      name,
      kind: "keycloak",
      label: read(`${prefix}_LABEL`) ?? name,
      issuer: keycloakIssuer({ url: keycloakUrl ?? "", realm: name }),
      keycloakUrl: keycloakUrl?.replace(/\/+$/, ""),
      clientId: clientId ?? "",
      clientSecret: read(`${prefix}_CLIENT_SECRET`) ?? read("KEYCLOAK_CLIENT_SECRET") ?? null,
      clientPrivateKey:
        parsePrivateKey(`${prefix}_CLIENT_PRIVATE_KEY`, read(`${prefix}_CLIENT_PRIVATE_KEY`), problems) ?? keycloakPrivateKey,
      logoutMethod: parseLogoutMethod(`${prefix}_LOGOUT_METHOD`, read(`${prefix}_LOGOUT_METHOD`), problems) ?? keycloakLogoutMethod,
    });
  }
  for (const name of oidcNames) {
    if (!validName(name, "OIDC_PROVIDERS", problems)) continue;
    if (realmNames.includes(name)) problems.push(`OIDC_PROVIDERS: "${name}" is also a Keycloak realm name; names must be unique`);
    const prefix = `OIDC_PROVIDER_${envName(name)}`;
    const issuer = read(`${prefix}_ISSUER`);
    if (!issuer) problems.push(`${prefix}_ISSUER is required: the issuer URL of OpenID provider ${name}`);
    else parseHttpUrl(`${prefix}_ISSUER`, issuer, problems);
    const clientId = read(`${prefix}_CLIENT_ID`);
    if (!clientId) problems.push(`${prefix}_CLIENT_ID is required: the client id of this app at ${name}`);
    providers.push({
      name,
      kind: "oidc",
      label: read(`${prefix}_LABEL`) ?? name,
      issuer: issuer ?? "",
      clientId: clientId ?? "",
      clientSecret: read(`${prefix}_CLIENT_SECRET`) ?? null,
      clientPrivateKey: parsePrivateKey(`${prefix}_CLIENT_PRIVATE_KEY`, read(`${prefix}_CLIENT_PRIVATE_KEY`), problems),
      logoutMethod: parseLogoutMethod(`${prefix}_LOGOUT_METHOD`, read(`${prefix}_LOGOUT_METHOD`), problems),
    });
  }

  const sessionSecrets = parseSecrets(read("SESSION_SECRET"), production, problems);
  const sessionMaxAge = parsePositiveInt("SESSION_MAX_AGE", read("SESSION_MAX_AGE"), 8 * 60 * 60, problems);
  const idpTimeoutMs = parsePositiveInt("IDP_TIMEOUT_MS", read("IDP_TIMEOUT_MS"), 5000, problems);
  const redisUrl = read("REDIS_URL") ?? null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push(`REDIS_URL must start with redis:// or rediss://`);
  const sessionStore = read("SESSION_STORE") ?? "cookie";
  if (sessionStore !== "cookie" && sessionStore !== "redis") problems.push(`SESSION_STORE must be "cookie" or "redis", got "${sessionStore}"`);
  else if (sessionStore === "redis" && !redisUrl) problems.push("SESSION_STORE=redis needs REDIS_URL: where the sessions are kept");

  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    appUrl: appUrl!,
    production,
    sessionSecrets,
    sessionMaxAge,
    secureCookies: appUrl!.startsWith("https:"),
    defaultProvider: defaultRealm!,
    providers,
    idpTimeoutMs,
    redisUrl,
    sessionStore: sessionStore as AppConfig["sessionStore"],
  });
}

/** `a, b,,c` -> ["a", "b", "c"] */
function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter(Boolean);
}

function unique(names: (string | undefined)[]): string[] {
  return [...new Set(names.filter((name): name is string => Boolean(name)))];
}

/** The realm name as it appears in variable names: upper-cased, anything but letters and digits as `_`. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

function validName(name: string, variable: string, problems: string[]): boolean {
  if (NAME.test(name)) return true;
  problems.push(`${variable}: "${name}" is not a valid name (letters, digits, ".", "_" and "-" only)`);
  return false;
}

function parseHttpUrl(name: string, value: string, problems: string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} "${value}" is not a URL`);
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`${name} must be an http(s) URL, got "${value}"`);
    return undefined;
  }
  return url;
}

function parseOrigin(name: string, value: string, problems: string[]): string | undefined {
  const url = parseHttpUrl(name, value, problems);
  if (!url) return undefined;
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    problems.push(`${name} must be an origin without path, query or credentials, e.g. https://app.example.com`);
    return undefined;
  }
  return url.origin;
}

function parseSecrets(value: string | undefined, production: boolean, problems: string[]): string[] {
  if (!value) {
    if (production) problems.push("SESSION_SECRET is required in production: at least 32 random characters");
    return [DEV_SESSION_SECRET];
  }
  const secrets = value.split(",").map((s) => s.trim());
  if (secrets.some((s) => s === "")) {
    problems.push("SESSION_SECRET has an empty entry: separate secrets with single commas");
  } else if (production && secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    problems.push(`SESSION_SECRET: every secret must be at least ${MIN_SECRET_LENGTH} characters in production`);
  }
  return secrets;
}

function parseLogoutMethod(name: string, value: string | undefined, problems: string[]): LogoutMethod | undefined {
  if (value === undefined || value === "redirect" || value === "post") return value;
  problems.push(`${name} must be "redirect" or "post", got "${value}"`);
  return undefined;
}

/** A PEM private key (`\n` escapes allowed, as .env files write them) or a private JWK in JSON. */
function parsePrivateKey(name: string, value: string | undefined, problems: string[]): ClientPrivateKey | null {
  if (value === undefined) return null;
  let key: KeyObject;
  try {
    key = value.startsWith("{")
      ? createPrivateKey({ key: JSON.parse(value) as JsonWebKey, format: "jwk" })
      : createPrivateKey(value.replace(/\\n/g, "\n"));
  } catch {
    problems.push(`${name} is not a private key: give a PEM ("-----BEGIN PRIVATE KEY-----…") or a private JWK in JSON`);
    return null;
  }
  const alg = signingAlgorithm(key);
  if (!alg) {
    problems.push(`${name}: use an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 key`);
    return null;
  }
  const given = value.startsWith("{") ? (JSON.parse(value) as { kid?: unknown }).kid : undefined;
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const kid = typeof given === "string" && given ? given : createHash("sha256").update(spki).digest("base64url");
  return { jwk: key.export({ format: "jwk" }), kid, alg };
}

function signingAlgorithm(key: KeyObject): ClientPrivateKey["alg"] | null {
  const { asymmetricKeyType: type, asymmetricKeyDetails: details } = key;
  if (type === "rsa") return (details?.modulusLength ?? 0) >= 2048 ? "RS256" : null;
  if (type === "ec") return details?.namedCurve === "prime256v1" ? "ES256" : details?.namedCurve === "secp384r1" ? "ES384" : null;
  return type === "ed25519" ? "EdDSA" : null;
}

function parsePositiveInt(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    problems.push(`${name} must be a positive whole number, got "${value}"`);
    return fallback;
  }
  return Number(value);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

let loaded: AppConfig | undefined;

/** The app's config, parsed from `process.env` on first use (the server calls it at start-up). */
export function getConfig(): AppConfig {
  loaded ??= parseConfig(process.env);
  return loaded;
}

/** Start-up check: prints one line per problem and exits 1, instead of failing on the first request. */
export function loadConfigOrExit(): AppConfig {
  try {
    const config = getConfig();
    if (!config.production && config.sessionSecrets[0] === DEV_SESSION_SECRET) {
      console.warn("SESSION_SECRET is not set: using a development-only secret");
    }
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`Configuration error: ${problem}`);
    process.exit(1);
  }
}
