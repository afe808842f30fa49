// A provider's discovery document, read by the app's own `discover` (the rules
// a login applies, the issuer rule among them); a failure is explained by what
// oauth4webapi found.
import * as oauth from "oauth4webapi";
import type { ProviderConfig } from "../../app/auth/core/config.server";
import { AuthError } from "../../app/auth/core/errors";
import { answeredIssuer, discover, type ProviderMetadata } from "../../app/auth/protocol/oidc-protocol.server";
import { describe, variables, withoutCredentials, type CheckResult } from "./result";

export type Discovery =
  { ok: true; metadata: ProviderMetadata; result: CheckResult } | { ok: false; result: CheckResult };

/** The "discovery" check, or the "issuer" check when discovery names another issuer. */
export async function checkDiscovery(provider: ProviderConfig, timeoutMs: number): Promise<Discovery> {
  const url = withoutCredentials(`${provider.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  const name = `${provider.name}: discovery`;
  try {
    const metadata = await discover(provider.issuer, { timeoutMs });
    return { ok: true, metadata, result: { name, ok: true, detail: url } };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const cause = error.cause;
    if (error.code === "issuer_mismatch")
      return { ok: false, result: issuerMismatch(provider, answeredIssuer(cause)!) };
    const status =
      cause instanceof oauth.OperationProcessingError && cause.cause instanceof Response
        ? cause.cause.status
        : undefined;
    if (status !== undefined)
      return {
        ok: false,
        result: { name, ok: false, detail: `${url} answered HTTP ${status}`, fix: wrongUrl(provider, status) },
      };
    if (cause instanceof oauth.OperationProcessingError || cause instanceof oauth.ResponseBodyError) {
      return {
        ok: false,
        result: {
          name,
          ok: false,
          detail: `${url} answered without a valid discovery document: ${cause.message}`,
          fix: wrongUrl(provider, 200),
        },
      };
    }
    if (cause) {
      return {
        ok: false,
        result: {
          name,
          ok: false,
          detail: `${url} unreachable: ${describe(cause, timeoutMs)}`,
          fix: unreachable(provider),
        },
      };
    }
    // A 5xx, or a document without the endpoints a login needs.
    return {
      ok: false,
      result: {
        name,
        ok: false,
        detail: withoutCredentials(error.detail),
        fix: `${variables(provider).url} does not point at a working OpenID provider`,
      },
    };
  }
}

/** The app refuses a discovery document naming another issuer (mix-up protection), so login would fail. */
export function checkIssuer(provider: ProviderConfig): CheckResult {
  return { name: `${provider.name}: issuer`, ok: true, detail: withoutCredentials(provider.issuer) };
}

export function checkEndSession(provider: ProviderConfig, metadata: ProviderMetadata): CheckResult {
  const name = `${provider.name}: end-session endpoint`;
  if (metadata.end_session_endpoint) return { name, ok: true, detail: "logout ends the session at the provider too" };
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

/** With `*_DPOP` on, the provider must take the proofs the app signs (ES256), or every login is refused. */
export function checkDpop(provider: ProviderConfig, metadata: ProviderMetadata): CheckResult | null {
  if (!provider.dpop) return null;
  const name = `${provider.name}: DPoP`;
  const algorithms = metadata.dpop_signing_alg_values_supported ?? [];
  if (algorithms.includes("ES256")) return { name, ok: true, detail: "tokens bound to each session's own key (ES256)" };
  return {
    name,
    ok: false,
    detail: `discovery offers no ES256 DPoP proofs (dpop_signing_alg_values_supported: ${algorithms.join(", ") || "none"}): every login would be refused`,
    fix:
      provider.kind === "keycloak"
        ? `Keycloak offers DPoP from 26.4: upgrade it, or turn ${variables(provider).dpop} off`
        : `the provider does not support DPoP: turn ${variables(provider).dpop} off`,
  };
}

function unreachable(provider: ProviderConfig): string {
  const { url } = variables(provider);
  return provider.kind === "keycloak"
    ? `check ${url} (now ${withoutCredentials(provider.keycloakUrl ?? "")}): Keycloak must run and be reachable from this host at that URL (DNS, firewall, proxy)`
    : `check ${url}: the provider must be reachable from this host at that URL (DNS, firewall, proxy)`;
}

function wrongUrl(provider: ProviderConfig, status: number): string {
  const vars = variables(provider);
  if (provider.kind !== "keycloak") {
    return `check ${vars.url}: it must be the issuer, e.g. https://login.example.com (discovery lives at <issuer>/.well-known/openid-configuration)`;
  }
  if (status !== 404) return `check ${vars.url}: it must be Keycloak's base URL, e.g. https://sso.example.com`;
  const keycloakUrl = provider.keycloakUrl ?? "";
  if (/\/auth$/.test(keycloakUrl)) {
    return (
      `remove /auth from ${vars.url} (set it to ${withoutCredentials(keycloakUrl.replace(/\/auth$/, ""))}): Keycloak 17 and later serve realms at /realms/<realm>; ` +
      `keep /auth only for Keycloak before 17 or one started with http-relative-path=/auth, and then check ${vars.realm} (realm names are case-sensitive)`
    );
  }
  return (
    `no realm "${provider.name}" at ${vars.url}: check ${vars.realm} (realm names are case-sensitive) and ${vars.url} ` +
    "(it ends in /auth only for Keycloak before 17 or one started with http-relative-path=/auth)"
  );
}

function issuerMismatch(provider: ProviderConfig, actual: string): CheckResult {
  const name = `${provider.name}: issuer`;
  const vars = variables(provider);
  const expected = provider.issuer;
  const detail = `the provider answered, but as another issuer: "${withoutCredentials(actual)}" (the app expects "${withoutCredentials(expected)}")`;
  if (provider.kind !== "keycloak") {
    return {
      name,
      ok: false,
      detail,
      fix: `set ${vars.url} to exactly "${withoutCredentials(actual)}" if that is the provider you mean`,
    };
  }
  const sameOrigin = URL.canParse(actual) && new URL(actual).origin === new URL(expected).origin;
  const base = withoutCredentials(actual.replace(/\/realms\/[^/]+$/, ""));
  const configured = withoutCredentials(provider.keycloakUrl ?? "");
  return {
    name,
    ok: false,
    detail,
    fix: sameOrigin
      ? `set ${vars.url} to "${base}" (a path prefix such as /auth must match Keycloak's http-relative-path) and check ${vars.realm}`
      : `set ${vars.url} to the URL Keycloak advertises (${base}), or make Keycloak advertise ${configured}: ` +
        `its hostname setting (KC_HOSTNAME=${configured}) and, behind a reverse proxy, KC_PROXY_HEADERS=xforwarded ` +
        "with the proxy passing Host and X-Forwarded-Proto; browsers and this app must use the same URL",
  };
}
