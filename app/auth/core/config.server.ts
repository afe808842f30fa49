import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { LogoutMethod } from "../protocol/end-session.server";
import { ConfigError, type ConfigProblem } from "./errors";
import { keycloakIssuer } from "../keycloak/keycloak-strategy.server";

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
  /** Unset: the strategy's default, `redirect` (a form POST by itself when the URL would be too long). */
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
/** Whether `url` is on this machine, where http is allowed even in production. */
export const isLocalUrl = (url: URL) => LOCAL_HOSTS.has(url.hostname);
/** Used when SESSION_SECRET is unset outside production; the doctor flags it. */
export const DEV_SESSION_SECRET = "dev-only-session-secret-never-use-in-production";
/** The shortest SESSION_SECRET production accepts; the doctor holds every environment to it. */
export const MIN_SECRET_LENGTH = 32;
/** A realm or provider name must be usable as it is as one URL path segment and in a cookie name. */
const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Parses the environment into a frozen config, or throws a ConfigError listing every bad variable. */
export function parseConfig(rawEnv: Env): AppConfig {
  const env = new EnvReader(rawEnv);
  const production = env.get("NODE_ENV") === "production";

  // remix-serve listens on PORT, so outside production the default origin follows it. In production the public
  // origin is rarely localhost (a proxy in front), and a wrong one only shows at the provider: it must be set.
  const port = env.parse("PORT", portNumber, 3000);
  const appUrl = env.parse(
    "APP_URL",
    (value) => appOrigin(value, production),
    production ? undefined : `http://localhost:${port ?? 3000}`,
  );
  if (production && env.get("APP_URL") === undefined)
    env.report(
      "APP_URL",
      "APP_URL is required in production: the public origin of the app as browsers see it, e.g. https://app.example.com",
    );
  const clientKeys = new ClientKeys(env);
  const realms = parseKeycloakRealms(env, clientKeys);
  const providers = parseOidcProviders(
    env,
    realms.map((realm) => realm.name),
    clientKeys,
  );
  const sessionSecrets =
    env.parse("SESSION_SECRET", (value) => secrets(value, production)) ?? defaultSecrets(env, production);
  const sessionMaxAge = env.parse("SESSION_MAX_AGE", positiveInt, 8 * 60 * 60);
  const idpTimeoutMs = env.parse("IDP_TIMEOUT_MS", positiveInt, 5000);
  const redisUrl = env.parse("REDIS_URL", redisUrlOf) ?? null;
  const sessionStore = env.parse("SESSION_STORE", sessionStoreOf, "cookie");
  if (sessionStore === "redis" && !redisUrl)
    env.report("SESSION_STORE", "SESSION_STORE=redis needs REDIS_URL: where the sessions are kept");

  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return deepFreeze({
    appUrl: appUrl!,
    production,
    sessionSecrets,
    sessionMaxAge: sessionMaxAge!,
    secureCookies: appUrl!.startsWith("https:"),
    defaultProvider: realms[0]!.name,
    providers: [...realms, ...providers],
    idpTimeoutMs: idpTimeoutMs!,
    redisUrl,
    sessionStore: sessionStore!,
  });
}

/** KEYCLOAK_URL, KEYCLOAK_REALM (the default) and KEYCLOAK_REALMS, with per-realm overrides. */
function parseKeycloakRealms(env: EnvReader, clientKeys: ClientKeys): ProviderConfig[] {
  const keycloakUrl = env.require("KEYCLOAK_URL", "the base URL of Keycloak, e.g. https://sso.example.com", httpUrl);
  const defaultRealm = env.require("KEYCLOAK_REALM", "the name of the Keycloak realm, e.g. demo", validName);
  const more = env.parse("KEYCLOAK_REALMS", names) ?? [];
  const shared = {
    clientId: env.get("KEYCLOAK_CLIENT_ID"),
    clientSecret: env.get("KEYCLOAK_CLIENT_SECRET"),
    clientPrivateKey: clientKeys.read("KEYCLOAK_CLIENT_PRIVATE_KEY"),
    logoutMethod: env.parse("KEYCLOAK_LOGOUT_METHOD", logoutMethod),
  };
  const realmNames = unique([defaultRealm, ...more]);
  // Without a realm to check it against, a missing client id would only show once KEYCLOAK_REALM is fixed.
  if (realmNames.length === 0 && !shared.clientId)
    env.report("KEYCLOAK_CLIENT_ID", "KEYCLOAK_CLIENT_ID is required: the client id of this app in the realms");
  return realmNames.map((name): ProviderConfig => {
    const prefix = `KEYCLOAK_REALM_${envName(name)}`;
    const clientId = env.get(`${prefix}_CLIENT_ID`) ?? shared.clientId;
    if (!clientId)
      env.report(
        "KEYCLOAK_CLIENT_ID",
        `KEYCLOAK_CLIENT_ID is required (or ${prefix}_CLIENT_ID): the client id of this app in realm ${name}`,
      );
    return {
      name,
      kind: "keycloak",
      label: env.get(`${prefix}_LABEL`) ?? name,
      issuer: keycloakIssuer({ url: keycloakUrl ?? "", realm: name }),
      keycloakUrl: keycloakUrl?.replace(/\/+$/, ""),
      clientId: clientId ?? "",
      clientSecret: env.get(`${prefix}_CLIENT_SECRET`) ?? shared.clientSecret ?? null,
      clientPrivateKey: clientKeys.read(`${prefix}_CLIENT_PRIVATE_KEY`) ?? shared.clientPrivateKey ?? null,
      logoutMethod: env.parse(`${prefix}_LOGOUT_METHOD`, logoutMethod) ?? shared.logoutMethod,
    };
  });
}

/** OIDC_PROVIDERS: any other OpenID provider, each configured by its own OIDC_PROVIDER_<NAME>_* variables. */
function parseOidcProviders(env: EnvReader, realmNames: readonly string[], clientKeys: ClientKeys): ProviderConfig[] {
  const providerNames = unique(env.parse("OIDC_PROVIDERS", names) ?? []);
  return providerNames.flatMap((name) => {
    if (realmNames.includes(name)) {
      env.report("OIDC_PROVIDERS", `OIDC_PROVIDERS: "${name}" is also a Keycloak realm name; names must be unique`);
      return [];
    }
    const prefix = `OIDC_PROVIDER_${envName(name)}`;
    const issuer = env.require(`${prefix}_ISSUER`, `the issuer URL of OpenID provider ${name}`, httpUrl);
    const clientId = env.require(`${prefix}_CLIENT_ID`, `the client id of this app at ${name}`);
    const provider: ProviderConfig = {
      name,
      kind: "oidc",
      label: env.get(`${prefix}_LABEL`) ?? name,
      issuer: issuer ?? "",
      clientId: clientId ?? "",
      clientSecret: env.get(`${prefix}_CLIENT_SECRET`) ?? null,
      clientPrivateKey: clientKeys.read(`${prefix}_CLIENT_PRIVATE_KEY`) ?? null,
      logoutMethod: env.parse(`${prefix}_LOGOUT_METHOD`, logoutMethod),
    };
    return [provider];
  });
}

/** The realm name as it appears in variable names: upper-cased, anything but letters and digits as `_`. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** A value refused by a parser below; the reader prefixes the variable's name. */
class Invalid extends Error {}

/**
 * Reads variables (trimmed; empty counts as unset) and collects one problem per
 * bad one, so parseConfig can report them all at once.
 */
class EnvReader {
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly env: Env) {}

  get(variable: string): string | undefined {
    return this.env[variable]?.trim() || undefined;
  }

  /** `parse(value)`, or `fallback` when unset; a value `parse` refuses is reported and gives `undefined`. */
  parse<T>(variable: string, parse: (value: string) => T, fallback?: T): T | undefined {
    const value = this.get(variable);
    if (value === undefined) return fallback;
    try {
      return parse(value);
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      this.report(variable, `${variable}${error.message}`);
      return undefined;
    }
  }

  /** Like `parse`, and an unset variable is a problem saying what it is for. */
  require<T = string>(
    variable: string,
    what: string,
    parse: (value: string) => T = (value) => value as T,
  ): T | undefined {
    if (this.get(variable) === undefined) this.report(variable, `${variable} is required: ${what}`);
    return this.parse(variable, parse);
  }

  report(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }
}

/**
 * Reads `*_CLIENT_PRIVATE_KEY` variables. `/auth/jwks.json` serves one key per `kid`, and the provider picks
 * the key by the assertion's `kid`: two different keys under one kid would leave one client's assertions
 * unverifiable, so that is a problem naming both variables. One key given in two variables is one key.
 */
class ClientKeys {
  readonly #byKid = new Map<string, { variable: string; key: ClientPrivateKey }>();
  constructor(private readonly env: EnvReader) {}

  read(variable: string): ClientPrivateKey | undefined {
    const key = this.env.parse(variable, privateKey);
    if (!key) return undefined;
    const first = this.#byKid.get(key.kid);
    if (!first) this.#byKid.set(key.kid, { variable, key });
    else if (publicPart(first.key) !== publicPart(key))
      this.env.report(
        variable,
        `${variable} has the kid "${key.kid}" of another key, ${first.variable}: /auth/jwks.json can serve only one of them; give each key its own kid`,
      );
    return key;
  }
}

function publicPart({ jwk: { kty, crv, n, e, x, y } }: ClientPrivateKey): string {
  return JSON.stringify([kty, crv, n, e, x, y]);
}

// The parsers: each takes a set value and returns it parsed, or throws Invalid
// with a message that follows the variable's name.

/** `a, b,,c` -> ["a", "b", "c"], each a valid name. */
function names(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map(validName);
}

function validName(name: string): string {
  if (NAME.test(name)) return name;
  throw new Invalid(`: "${name}" is not a valid name (letters, digits, ".", "_" and "-" only)`);
}

function unique(names: (string | undefined)[]): string[] {
  return [...new Set(names.filter((name): name is string => Boolean(name)))];
}

function httpUrl(value: string): string {
  if (!URL.canParse(value)) throw new Invalid(` "${value}" is not a URL`);
  if (!/^https?:$/.test(new URL(value).protocol)) throw new Invalid(` must be an http(s) URL, got "${value}"`);
  return value;
}

function appOrigin(value: string, production: boolean): string {
  const url = new URL(httpUrl(value));
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new Invalid(" must be an origin without path, query or credentials, e.g. https://app.example.com");
  }
  if (production && url.protocol === "http:" && !isLocalUrl(url)) {
    throw new Invalid(` must be https in production (http only for localhost or 127.0.0.1), got "${url.origin}"`);
  }
  return url.origin;
}

function secrets(value: string, production: boolean): string[] {
  const entries = value.split(",").map((s) => s.trim());
  if (entries.some((s) => s === "")) throw new Invalid(" has an empty entry: separate secrets with single commas");
  if (production && entries.some((s) => s.length < MIN_SECRET_LENGTH)) {
    throw new Invalid(`: every secret must be at least ${MIN_SECRET_LENGTH} characters in production`);
  }
  // Named by what is wrong, never by value: the line goes to the log.
  const weakness = production ? entries.map(secretWeakness).find(Boolean) : undefined;
  if (weakness) throw new Invalid(`: a secret is ${weakness}; generate one with \`openssl rand -base64 48\``);
  return entries;
}

/**
 * Why a secret is weak, or undefined. Production refuses such a secret at start-up; the doctor holds every
 * environment to this, also where the app accepts short secrets.
 */
export function secretWeakness(secret: string): string | undefined {
  if (secret === DEV_SESSION_SECRET) return "the development-only default";
  if (secret.length < MIN_SECRET_LENGTH) return `shorter than ${MIN_SECRET_LENGTH} characters`;
  // Not "one kind of character": 40 random lowercase letters are strong; repetition is what makes a long secret weak.
  if (new Set(secret).size < 10) return "too repetitive (fewer than 10 different characters)";
  if (/^(.+?)\1+$/s.test(secret)) return "one short piece repeated";
  return undefined;
}

function defaultSecrets(env: EnvReader, production: boolean): string[] {
  if (production && env.get("SESSION_SECRET") === undefined) {
    env.report(
      "SESSION_SECRET",
      `SESSION_SECRET is required in production: at least ${MIN_SECRET_LENGTH} random characters`,
    );
  }
  return [DEV_SESSION_SECRET];
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0)
    throw new Invalid(` must be a positive whole number, got "${value}"`);
  return Number(value);
}

/** remix-serve reads PORT with Number(): "abc" would silently make it listen on 3000, or any free port. */
function portNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    throw new Invalid(` must be a port number from 1 to 65535, got "${value}"`);
  return Number(value);
}

/** What node-redis can read (it fails only at first use); the value is never echoed: it may hold a password. */
function redisUrlOf(value: string): string {
  if (!/^rediss?:\/\//.test(value)) throw new Invalid(" must start with redis:// or rediss://");
  if (!URL.canParse(value) || !/^(\/\d*)?$/.test(new URL(value).pathname))
    throw new Invalid(
      ' is not a Redis URL: write it as redis://[[user]:password@]host[:port][/database], with "@", "/", "?" and "#" in the user or password percent-encoded ("@" as %40)',
    );
  return value;
}

function sessionStoreOf(value: string): AppConfig["sessionStore"] {
  if (value === "cookie" || value === "redis") return value;
  throw new Invalid(` must be "cookie" or "redis", got "${value}"`);
}

function logoutMethod(value: string): LogoutMethod {
  if (value === "redirect" || value === "post") return value;
  throw new Invalid(` must be "redirect" or "post", got "${value}"`);
}

/** A PEM private key (`\n` escapes allowed, as .env files write them) or a private JWK in JSON. */
function privateKey(value: string): ClientPrivateKey {
  let key: KeyObject;
  try {
    key = value.startsWith("{")
      ? createPrivateKey({ key: JSON.parse(value) as JsonWebKey, format: "jwk" })
      : createPrivateKey(value.replace(/\\n/g, "\n"));
  } catch {
    throw new Invalid(' is not a private key: give a PEM ("-----BEGIN PRIVATE KEY-----…") or a private JWK in JSON');
  }
  const alg = signingAlgorithm(key);
  if (!alg) throw new Invalid(": use an RSA (2048 bits or more), EC P-256/P-384 or Ed25519 key");
  const given = value.startsWith("{") ? (JSON.parse(value) as { kid?: unknown }).kid : undefined;
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  const kid = typeof given === "string" && given ? given : createHash("sha256").update(spki).digest("base64url");
  return { jwk: key.export({ format: "jwk" }), kid, alg };
}

function signingAlgorithm(key: KeyObject): ClientPrivateKey["alg"] | null {
  const { asymmetricKeyType: type, asymmetricKeyDetails: details } = key;
  if (type === "rsa") return (details?.modulusLength ?? 0) >= 2048 ? "RS256" : null;
  if (type === "ec")
    return details?.namedCurve === "prime256v1" ? "ES256" : details?.namedCurve === "secp384r1" ? "ES384" : null;
  return type === "ed25519" ? "EdDSA" : null;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

let loaded: AppConfig | undefined;

/** The app's config, parsed from `process.env` on first use; throws a ConfigError (the server checks it at start-up). */
export function getConfig(): AppConfig {
  loaded ??= parseConfig(process.env);
  return loaded;
}
