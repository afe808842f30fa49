import * as v from "valibot";
import type { AppConfig } from "./config.server";
import { isLocalUrl, secretWeakness } from "./env-reader.server";
import { ConfigError } from "./errors";

// What every configuration must hold, however it was made: from the environment (parseConfig, which names
// the variables) or in code, where nothing else would check it before the first request.

const origin = v.pipe(
  v.string(),
  v.url(),
  v.check((value) => new URL(value).origin === value, "must be an origin: scheme, host and port, no path or slash"),
);
const name = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/, "letters, digits, . _ - only"));

const clientPrivateKey = v.object({
  jwk: v.looseObject({ kty: v.string() }),
  kid: v.pipe(v.string(), v.minLength(1)),
  alg: v.picklist(["RS256", "ES256", "ES384", "EdDSA"]),
});

const provider = v.object({
  name,
  kind: v.picklist(["keycloak", "oidc"]),
  label: v.pipe(v.string(), v.minLength(1)),
  issuer: v.pipe(v.string(), v.url()),
  keycloakUrl: v.optional(v.pipe(v.string(), v.url())),
  clientId: v.pipe(v.string(), v.minLength(1)),
  clientSecret: v.nullable(v.string()),
  clientPrivateKey: v.nullable(clientPrivateKey),
  logoutMethod: v.optional(v.picklist(["redirect", "post"])),
  dpop: v.boolean(),
});

const appConfig = v.pipe(
  v.object({
    appUrl: origin,
    production: v.boolean(),
    sessionSecrets: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1, "needs at least one secret")),
    sessionMaxAge: v.pipe(v.number(), v.integer(), v.minValue(1)),
    secureCookies: v.boolean(),
    defaultProvider: name,
    providers: v.pipe(v.array(provider), v.minLength(1, "needs at least one provider")),
    idpTimeoutMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
    sessionCheckInterval: v.pipe(v.number(), v.integer(), v.minValue(0)),
    idpContactWindowMs: v.pipe(v.number(), v.integer(), v.minValue(0)),
    redisUrl: v.nullable(v.pipe(v.string(), v.url())),
    sessionStore: v.picklist(["cookie", "redis"]),
    stepUpMaxAge: v.pipe(v.number(), v.integer(), v.minValue(10)),
  }),
  v.forward(
    v.check(
      ({ appUrl, secureCookies }) => secureCookies === appUrl.startsWith("https:"),
      "secureCookies must be true exactly when appUrl is https",
    ),
    ["secureCookies"],
  ),
  v.forward(
    v.check(({ providers }) => new Set(providers.map((p) => p.name)).size === providers.length, "names must differ"),
    ["providers"],
  ),
  v.forward(
    v.check(
      ({ providers, defaultProvider }) => providers.some((p) => p.name === defaultProvider),
      "must name one of the providers",
    ),
    ["defaultProvider"],
  ),
  v.forward(
    v.check(({ sessionStore, redisUrl }) => sessionStore === "cookie" || redisUrl !== null, "redis needs a redisUrl"),
    ["sessionStore"],
  ),
  // What parseConfig refuses in production, held to a configuration built in code too.
  v.forward(
    v.check(
      ({ production, sessionSecrets }) => !production || sessionSecrets.every((secret) => !secretWeakness(secret)),
      "a secret is weak for production (the development default, short or repetitive): openssl rand -base64 48",
    ),
    ["sessionSecrets"],
  ),
  v.forward(
    v.check(
      ({ production, appUrl }) => !production || appUrl.startsWith("https:") || isLocalUrl(new URL(appUrl)),
      "must be https in production (http only for localhost or 127.0.0.1)",
    ),
    ["appUrl"],
  ),
);

/** `config` when it holds what every configuration must; otherwise a ConfigError naming each problem by its path. */
export function checkConfig(config: AppConfig): AppConfig {
  const result = v.safeParse(appConfig, config);
  if (result.success) return config;
  throw new ConfigError(
    result.issues.map((issue) => {
      const path = v.getDotPath(issue) ?? "config";
      return { variable: path, message: `${path}: ${issue.message}` };
    }),
  );
}
