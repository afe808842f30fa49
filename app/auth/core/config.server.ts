import { ConfigError } from "./errors";
import {
  appOrigin,
  ClientKeys,
  defaultSecrets,
  EnvReader,
  httpUrl,
  logoutMethod,
  names,
  onOff,
  nonNegativeInt,
  portNumber,
  positiveInt,
  stepUpMaxAgeOf,
  redisUrlOf,
  secrets,
  sessionStoreOf,
  unique,
  validName,
  envName,
  type ClientPrivateKey,
  type Env,
} from "./env-reader.server";

export {
  DEV_SESSION_SECRET,
  envName,
  isLocalUrl,
  MIN_SECRET_LENGTH,
  secretWeakness,
  type ClientPrivateKey,
} from "./env-reader.server";

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
  logoutMethod?: "redirect" | "post";
  /** Bind each session's tokens to a key of its own (DPoP, RFC 9449). */
  dpop: boolean;
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
  /**
   * Seconds after which a session's next request asks the provider (a refresh grant) whether its session
   * still lives; `0`: never (the session then ends only by logout, back-channel logout or `sessionMaxAge`).
   */
  sessionCheckInterval: number;
  /** A provider that answered less than this ago is not asked again before a login or logout; 0: always asked. */
  idpContactWindowMs: number;
  /** Where back-channel logouts are shared between instances; `null`: in memory, one process. */
  redisUrl: string | null;
  /**
   * `cookie`: sessions in the encrypted cookie, and in Redis only when one would exceed the cookie
   * budget and `redisUrl` is set; `redis`: every session in Redis, the cookie holds only its id.
   */
  sessionStore: "cookie" | "redis";
  /** Seconds: how recent a login `requireRecentLogin` asks for by default (STEP_UP_MAX_AGE). */
  stepUpMaxAge: number;
}

/**
 * The environment adapter: the only code that reads variables. Parses `env` (the app passes `process.env`)
 * into a frozen config, or throws a ConfigError listing every bad variable.
 */
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
  // Keycloak's default access token lifespan: an app that calls APIs renews about that often anyway.
  const sessionCheckInterval = env.parse("SESSION_CHECK_INTERVAL", nonNegativeInt, 300);
  const idpContactWindowMs = env.parse("IDP_CONTACT_WINDOW_MS", nonNegativeInt, 10_000);
  const redisUrl = env.parse("REDIS_URL", redisUrlOf) ?? null;
  const sessionStore = env.parse("SESSION_STORE", sessionStoreOf, "cookie");
  // Five minutes: long enough to do a task, short enough that an unattended browser must sign in again.
  const stepUpMaxAge = env.parse("STEP_UP_MAX_AGE", stepUpMaxAgeOf, 300);
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
    sessionCheckInterval: sessionCheckInterval!,
    idpContactWindowMs: idpContactWindowMs!,
    redisUrl,
    sessionStore: sessionStore!,
    stepUpMaxAge: stepUpMaxAge!,
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
    dpop: env.parse("KEYCLOAK_DPOP", onOff),
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
      dpop: env.parse(`${prefix}_DPOP`, onOff) ?? shared.dpop ?? false,
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
      dpop: env.parse(`${prefix}_DPOP`, onOff) ?? false,
    };
    return [provider];
  });
}

/** A Keycloak realm's issuer follows from Keycloak's base URL and the realm name. */
function keycloakIssuer({ url, realm }: { url: string; realm: string }): string {
  return `${url.replace(/\/+$/, "")}/realms/${encodeURIComponent(realm)}`;
}

/** `value` and everything in it made read-only. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
