import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import type { ConfigProblem } from "./errors";

// Reading the environment: the reader that collects every problem, and a parser
// per kind of value. Only core/config.server.ts calls them.

/** A client's private signing key, as a JWK with the `kid` and `alg` it signs with. */
export interface ClientPrivateKey {
  jwk: JsonWebKey;
  kid: string;
  alg: "RS256" | "ES256" | "ES384" | "EdDSA";
}

export type Env = Record<string, string | undefined>;

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Whether `url` is on this machine, where http is allowed even in production. */
export const isLocalUrl = (url: URL) => LOCAL_HOSTS.has(url.hostname);
/** Used when SESSION_SECRET is unset outside production; the doctor flags it. */
export const DEV_SESSION_SECRET = "dev-only-session-secret-never-use-in-production";
/** The shortest SESSION_SECRET production accepts; the doctor holds every environment to it. */
export const MIN_SECRET_LENGTH = 32;
/** A realm or provider name must be usable as it is as one URL path segment and in a cookie name. */
export const NAME = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** The realm name as it appears in variable names: upper-cased, anything but letters and digits as `_`. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** A value refused by a parser below; the reader prefixes the variable's name. */
export class Invalid extends Error {}

/**
 * Reads variables (trimmed; empty counts as unset) and collects one problem per
 * bad one, so parseConfig can report them all at once.
 */
export class EnvReader {
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
export class ClientKeys {
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
export function names(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map(validName);
}

export function validName(name: string): string {
  if (NAME.test(name)) return name;
  throw new Invalid(`: "${name}" is not a valid name (letters, digits, ".", "_" and "-" only)`);
}

export function unique(names: (string | undefined)[]): string[] {
  return [...new Set(names.filter((name): name is string => Boolean(name)))];
}

export function httpUrl(value: string): string {
  if (!URL.canParse(value)) throw new Invalid(` "${value}" is not a URL`);
  if (!/^https?:$/.test(new URL(value).protocol)) throw new Invalid(` must be an http(s) URL, got "${value}"`);
  return value;
}

export function appOrigin(value: string, production: boolean): string {
  const url = new URL(httpUrl(value));
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
    throw new Invalid(" must be an origin without path, query or credentials, e.g. https://app.example.com");
  }
  if (production && url.protocol === "http:" && !isLocalUrl(url)) {
    throw new Invalid(` must be https in production (http only for localhost or 127.0.0.1), got "${url.origin}"`);
  }
  return url.origin;
}

export function secrets(value: string, production: boolean): string[] {
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

export function defaultSecrets(env: EnvReader, production: boolean): string[] {
  if (production && env.get("SESSION_SECRET") === undefined) {
    env.report(
      "SESSION_SECRET",
      `SESSION_SECRET is required in production: at least ${MIN_SECRET_LENGTH} random characters`,
    );
  }
  return [DEV_SESSION_SECRET];
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) === 0)
    throw new Invalid(` must be a positive whole number, got "${value}"`);
  return Number(value);
}

/** The user needs time to come back from the provider: under 10 s every page would ask again. */
export function stepUpMaxAgeOf(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 10)
    throw new Invalid(` must be a whole number of seconds, at least 10, got "${value}"`);
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new Invalid(` must be a whole number (0 or more), got "${value}"`);
  return Number(value);
}

/** remix-serve reads PORT with Number(): "abc" would silently make it listen on 3000, or any free port. */
export function portNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
    throw new Invalid(` must be a port number from 1 to 65535, got "${value}"`);
  return Number(value);
}

/** What node-redis can read (it fails only at first use); the value is never echoed: it may hold a password. */
export function redisUrlOf(value: string): string {
  if (!/^rediss?:\/\//.test(value)) throw new Invalid(" must start with redis:// or rediss://");
  if (!URL.canParse(value) || !/^(\/\d*)?$/.test(new URL(value).pathname))
    throw new Invalid(
      ' is not a Redis URL: write it as redis://[[user]:password@]host[:port][/database], with "@", "/", "?" and "#" in the user or password percent-encoded ("@" as %40)',
    );
  return value;
}

export function sessionStoreOf(value: string): "cookie" | "redis" {
  if (value === "cookie" || value === "redis") return value;
  throw new Invalid(` must be "cookie" or "redis", got "${value}"`);
}

export function onOff(value: string): boolean {
  if (value === "true" || value === "false") return value === "true";
  throw new Invalid(` must be "true" or "false", got "${value}"`);
}

export function logoutMethod(value: string): "redirect" | "post" {
  if (value === "redirect" || value === "post") return value;
  throw new Invalid(` must be "redirect" or "post", got "${value}"`);
}

/** A PEM private key (`\n` escapes allowed, as .env files write them) or a private JWK in JSON. */
export function privateKey(value: string): ClientPrivateKey {
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
