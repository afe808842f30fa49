// What every check returns, and the helpers that keep credentials out of it.
import { envName, type ProviderConfig } from "../../app/auth/core/config.server";

export interface CheckResult {
  /** Short, e.g. "demo: discovery". */
  name: string;
  ok: boolean;
  /** What was found; for a pass, a note worth reading. */
  detail?: string;
  /** For a failure: what to change, naming the variable or the Keycloak setting. */
  fix?: string;
}

/** Which variables configure this provider, for the fix lines. */
export function variables(provider: ProviderConfig) {
  const name = envName(provider.name);
  if (provider.kind === "keycloak") {
    return {
      url: "KEYCLOAK_URL",
      realm: "KEYCLOAK_REALM/KEYCLOAK_REALMS",
      clientId: `KEYCLOAK_CLIENT_ID (or KEYCLOAK_REALM_${name}_CLIENT_ID)`,
      secret: `KEYCLOAK_CLIENT_SECRET (or KEYCLOAK_REALM_${name}_CLIENT_SECRET)`,
      privateKey: `KEYCLOAK_CLIENT_PRIVATE_KEY (or KEYCLOAK_REALM_${name}_CLIENT_PRIVATE_KEY)`,
      dpop: `KEYCLOAK_DPOP (or KEYCLOAK_REALM_${name}_DPOP)`,
    };
  }
  const prefix = `OIDC_PROVIDER_${name}`;
  return {
    url: `${prefix}_ISSUER`,
    realm: "OIDC_PROVIDERS",
    clientId: `${prefix}_CLIENT_ID`,
    secret: `${prefix}_CLIENT_SECRET`,
    privateKey: `${prefix}_CLIENT_PRIVATE_KEY`,
    dpop: `${prefix}_DPOP`,
  };
}

/** A short reason for a network error, e.g. "ECONNREFUSED" or "no answer within 5000 ms (IDP_TIMEOUT_MS)". */
export function describe(error: unknown, timeoutMs?: number): string {
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

/** `text` with the user name and password of every URL in it removed, for printing. */
export function withoutCredentials(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, (url) => urlWithoutCredentials(url));
}

/** `url` without its user name and password, for printing; all of it is one URL (a password may hold a space). */
export function urlWithoutCredentials(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? "";
  return scheme + withoutUserinfo(scheme, url.slice(scheme.length));
}

/**
 * What follows `scheme://`, from the host on. A password may hold "@" (and a careless one "/", "?" or "#"),
 * so everything up to the last "@" goes, valid URL or not; only a web URL that the URL parser reads keeps
 * the "@" of its path (`https://host/realms/a@b`).
 */
function withoutUserinfo(scheme: string, rest: string): string {
  const at = rest.lastIndexOf("@");
  if (at === -1) return rest;
  if (!/^(https?|wss?|ftp):\/\/$/i.test(scheme) || !URL.canParse(scheme + rest)) return rest.slice(at + 1);
  const { username, password } = new URL(scheme + rest);
  if (!username && !password) return rest;
  // The parser's user and password end at the last "@" before the path, query or fragment.
  const authority = rest.slice(0, rest.search(/[/?#\\]|$/));
  return rest.slice(authority.lastIndexOf("@") + 1);
}
