// The app's client at the provider: its credentials, and the two URLs it must
// have registered. Each is probed with a request that needs no user and no
// admin access, sent the way the app sends it.
import * as oauth from "oauth4webapi";
import { clientJwksUrl, loginCallbackUrl, postLogoutRedirectUrl } from "../../app/auth/core/app-urls.server";
import { importClientKey } from "../../app/auth/providers/client-keys.server";
import type { ProviderConfig } from "../../app/auth/core/config.server";
import { DpopSigners, generateDpopKey } from "../../app/auth/protocol/dpop.server";
import { buildEndSessionUrl } from "../../app/auth/protocol/end-session.server";
import { clientAuthentication, httpOptions, type ProviderMetadata } from "../../app/auth/protocol/oidc-protocol.server";
import { describe, variables, type CheckResult } from "./result";

/**
 * Probes the client's credentials with a `client_credentials` grant,
 * authenticated as the app's code exchange is (`clientAuthentication`).
 * Keycloak and oidc-provider both authenticate the client before they look at
 * the grant, so anything but `invalid_client` (or Keycloak's
 * `unauthorized_client` "Invalid client or Invalid client credentials", its
 * answer to a wrong secret) means the credentials were accepted. Keycloak
 * answers 401 `unauthorized_client` when "Service accounts" is off: the status
 * alone says nothing. With `*_DPOP` on, the request carries a proof, as the app's do: a client that requires DPoP
 * refuses a request without one before it looks at the credentials.
 */
export async function checkClientCredentials(
  provider: ProviderConfig,
  metadata: ProviderMetadata,
  appUrl: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const name = `${provider.name}: client credentials`;
  const vars = variables(provider);
  if (!provider.clientSecret && !provider.clientPrivateKey) {
    return {
      name,
      ok: true,
      detail: `note: ${provider.clientId} is a public client (no secret), which cannot be probed; the provider must have "Client authentication" off for it`,
    };
  }
  const clientPrivateKey = provider.clientPrivateKey ? await importClientKey(provider.clientPrivateKey) : undefined;
  const auth = clientAuthentication(metadata, { clientSecret: provider.clientSecret, clientPrivateKey });
  let status: number;
  let error: string | undefined;
  let description: string | undefined;
  const client = { client_id: provider.clientId };
  const http = {
    ...httpOptions(new URL(provider.issuer), timeoutMs),
    ...(provider.dpop && { DPoP: (await new DpopSigners(client).get(await generateDpopKey())).handle }),
  };
  try {
    const response = await oauth.clientCredentialsGrantRequest(metadata, client, auth, new URLSearchParams(), http);
    status = response.status;
    // Only the error fields are read: a 200 holds an access token, which is never printed.
    const body = (await response.json().catch(() => ({}))) as { error?: unknown; error_description?: unknown };
    error = typeof body.error === "string" ? body.error : undefined;
    description = typeof body.error_description === "string" ? body.error_description : undefined;
  } catch (failure) {
    return {
      name,
      ok: false,
      detail: `token endpoint unreachable: ${describe((failure as Error).cause ?? failure, timeoutMs)}`,
      fix: `the token endpoint must be reachable from this host (check ${vars.url})`,
    };
  }
  // Keycloak 26 answers a wrong secret for an existing client with 401
  // unauthorized_client, told apart from "Service accounts off" only by its description.
  if (error === "unauthorized_client" && description === "Invalid client or Invalid client credentials")
    error = "invalid_client";
  if (status === 200) {
    return {
      name,
      ok: true,
      detail: `${provider.clientId}: accepted (note: client_credentials is enabled for it; this app does not need "Service accounts")`,
    };
  }
  if (error === "unauthorized_client" || error === "unsupported_grant_type" || error === "invalid_scope") {
    return {
      name,
      ok: true,
      detail: `${provider.clientId}: accepted (client_credentials itself is not enabled: ${error}, as expected)`,
    };
  }
  if (!provider.dpop && /dpop proof is missing/i.test(description ?? "")) {
    return {
      name,
      ok: false,
      detail: `${provider.clientId}: refused: "${description}" (the client requires DPoP-bound tokens)`,
      fix:
        provider.kind === "keycloak"
          ? `set ${vars.dpop} to true, or turn off "Require DPoP bound tokens" in Keycloak > realm ${provider.name} > Clients > ${provider.clientId} > Advanced`
          : `set ${vars.dpop} to true, or stop requiring DPoP for client ${provider.clientId} at the provider`,
    };
  }
  if (error === "invalid_client" && provider.clientPrivateKey) return signedJwtRefused(provider, appUrl, description);
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
  const reason = [error, description].filter(Boolean).join(": ");
  return {
    name,
    ok: false,
    detail: `${provider.clientId}: unexpected answer HTTP ${status}${reason ? ` ${reason}` : ""}`,
    fix: `check the client ${provider.clientId} at the provider (enabled, confidential)`,
  };
}

/**
 * The provider refused the `private_key_jwt` assertion. Keycloak's reason is
 * printed (it names no secret): "Unable to load public key" when its JWKS URL
 * does not hold the key's `kid` (or cannot be fetched: Keycloak reads it from
 * the running app), "Signature on JWT token failed validation" for another key.
 */
function signedJwtRefused(provider: ProviderConfig, appUrl: string, description: string | undefined): CheckResult {
  const vars = variables(provider);
  const jwksUrl = clientJwksUrl(appUrl);
  const alg = provider.clientPrivateKey!.alg;
  const refused = {
    name: `${provider.name}: client credentials`,
    ok: false,
    detail: `${provider.clientId}: refused with invalid_client: the signed JWT was not accepted${description ? ` ("${description}")` : ""}`,
  };
  // Keycloak refuses EdDSA client assertions: 26.7 as "Invalid signature algorithm" (also its words when the
  // JWT's alg is not the client's "Signature algorithm"), 24.0 to 26.4 as a signature that failed validation.
  const edDsaAtKeycloak = alg === "EdDSA" && provider.kind === "keycloak";
  if (edDsaAtKeycloak || /^invalid signature algorithm$/i.test(description ?? "")) {
    return {
      ...refused,
      fix:
        alg === "EdDSA"
          ? `the provider does not accept EdDSA client assertions (Keycloak does not): use an RSA or EC key for ${vars.privateKey}`
          : provider.kind === "keycloak"
            ? `in Keycloak > realm ${provider.name} > Clients > ${provider.clientId} > Credentials, set "Signature algorithm" to ${alg} (the key's) or leave it empty`
            : `register ${alg} as the token endpoint signing algorithm of client ${provider.clientId} at the provider`,
    };
  }
  return {
    ...refused,
    fix:
      provider.kind === "keycloak"
        ? `in Keycloak > realm ${provider.name} > Clients > ${provider.clientId}: Credentials > Client Authenticator "Signed JWT", and Keys > "Use JWKS URL" on with ${jwksUrl}, which Keycloak must be able to fetch (the app serves it: start the app, then run the doctor again); check ${vars.privateKey} is the key served there`
        : `register ${jwksUrl} (served by the running app) as the JWKS URL of client ${provider.clientId} at the provider, and check ${vars.privateKey} is the key served there`,
  };
}

/**
 * Asks the authorization endpoint to log in silently (`prompt=none`) with the
 * app's callback URL. A provider checks `redirect_uri` before anything else:
 * one the client has not registered is a 400 page ("Invalid parameter:
 * redirect_uri" at Keycloak), a registered one a redirect back to it.
 */
export async function checkRedirectUri(
  provider: ProviderConfig,
  metadata: ProviderMetadata,
  appUrl: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const name = `${provider.name}: redirect URI`;
  const redirectUri = loginCallbackUrl(appUrl, provider.name);
  const url = new URL(metadata.authorization_endpoint);
  const verifier = oauth.generateRandomCodeVerifier();
  url.search = new URLSearchParams({
    client_id: provider.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: "openid",
    prompt: "none",
    state: oauth.generateRandomState(),
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  }).toString();
  const answer = await probe(url, timeoutMs);
  if ("error" in answer)
    return {
      name,
      ok: false,
      detail: `authorization endpoint unreachable: ${answer.error}`,
      fix: `check ${variables(provider).url}`,
    };
  if (answer.location?.startsWith(redirectUri)) return { name, ok: true, detail: `${redirectUri} is registered` };
  return {
    name,
    ok: false,
    detail: `${redirectUri} refused: HTTP ${answer.status}${answer.reason ? ` "${answer.reason}"` : ""}`,
    fix:
      provider.kind === "keycloak"
        ? `add ${redirectUri} to Keycloak > realm ${provider.name} > Clients > ${provider.clientId} > Valid redirect URIs (and check APP_URL is the app's public origin)`
        : `register ${redirectUri} as a redirect URI of client ${provider.clientId} at the provider (and check APP_URL is the app's public origin)`,
  };
}

/**
 * Asks the end-session endpoint, as the app's logout does without a hint
 * (`client_id` + `post_logout_redirect_uri`), for the confirmation page. An
 * unregistered URI is a 400 page ("Invalid redirect uri" at Keycloak) before
 * any session is looked at; a registered one is the page that asks the user.
 * The fix never offers Keycloak's "+" (the redirect URIs): the login callback
 * they name is not the logout callback (Keycloak 26.7.3 refuses it).
 */
export async function checkPostLogoutRedirectUri(
  provider: ProviderConfig,
  metadata: ProviderMetadata,
  appUrl: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const name = `${provider.name}: post-logout redirect URI`;
  const uri = postLogoutRedirectUrl(appUrl);
  const url = buildEndSessionUrl({
    endSessionEndpoint: metadata.end_session_endpoint!,
    clientId: provider.clientId,
    postLogoutRedirectUri: uri,
  });
  const answer = await probe(url, timeoutMs);
  if ("error" in answer)
    return {
      name,
      ok: false,
      detail: `end-session endpoint unreachable: ${answer.error}`,
      fix: `check ${variables(provider).url}`,
    };
  if (answer.status < 400) return { name, ok: true, detail: `${uri} is registered` };
  return {
    name,
    ok: false,
    detail: `${uri} refused: HTTP ${answer.status}${answer.reason ? ` "${answer.reason}"` : ""}`,
    fix:
      provider.kind === "keycloak"
        ? `add ${uri} to Keycloak > realm ${provider.name} > Clients > ${provider.clientId} > Valid post logout redirect URIs (or "${appUrl}/*" there, for any page of the app); without it, logout stops on Keycloak's "Invalid redirect uri" page and the Keycloak session stays open`
        : `register ${uri} as a post-logout redirect URI of client ${provider.clientId} at the provider`,
  };
}

type ProbeAnswer = { status: number; location?: string; reason?: string } | { error: string };

/** One GET, redirects not followed; for an error page, the provider's message (Keycloak's or the dev IdP's). */
async function probe(url: URL, timeoutMs: number): Promise<ProbeAnswer> {
  try {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    const text = response.status >= 400 ? await response.text() : "";
    await response.body?.cancel().catch(() => {});
    return {
      status: response.status,
      location: response.headers.get("location") ?? undefined,
      reason: errorMessage(text),
    };
  } catch (error) {
    return { error: describe(error, timeoutMs) };
  }
}

/** Keycloak's error page says "Invalid parameter: redirect_uri" or "Invalid redirect uri"; any known phrase is quoted. */
function errorMessage(page: string): string | undefined {
  return /Invalid parameter: [a-z_]+|Invalid redirect uri|Missing parameters?: [a-z_]+/i.exec(page)?.[0];
}
