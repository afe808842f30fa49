// The app's own settings: APP_URL, SESSION_SECRET, and the fix for each
// variable parseConfig refuses.
import {
  DEV_SESSION_SECRET,
  isLocalUrl,
  MIN_SECRET_LENGTH,
  secretWeakness,
  type AppConfig,
} from "../../app/auth/core/config.server";
import type { CheckResult } from "./result";

/** APP_URL decides the redirect URIs and whether cookies are `Secure`. */
export function checkAppUrl(config: AppConfig): CheckResult {
  const name = "APP_URL";
  if (config.secureCookies) return { name, ok: true, detail: `${config.appUrl}: https, cookies are Secure` };
  if (isLocalUrl(new URL(config.appUrl))) {
    return {
      name,
      ok: true,
      detail: `${config.appUrl}: http on this machine only, cookies are not Secure (fine for local use)`,
    };
  }
  // In production parseConfig has refused this already; here NODE_ENV is something else.
  const problem = `${config.appUrl} is http on a public host: cookies are not Secure, so the session travels in clear`;
  return { name, ok: true, detail: `warning: ${problem} (allowed because NODE_ENV is not production)` };
}

/**
 * Every SESSION_SECRET entry long, not the development default, not obviously
 * weak. Entries are named by position only: never by value or length.
 */
export function checkSessionSecrets(config: AppConfig): CheckResult {
  const name = "SESSION_SECRET";
  const secrets = config.sessionSecrets;
  if (secrets.length === 1 && secrets[0] === DEV_SESSION_SECRET) {
    return {
      name,
      ok: false,
      detail: "not set: the app would use its development-only secret",
      fix: FIXES.SESSION_SECRET,
    };
  }
  const problems = secrets.flatMap((secret, index) => {
    const weakness = secretWeakness(secret);
    if (!weakness) return [];
    return [
      secrets.length === 1 ? `the secret is ${weakness}` : `entry ${index + 1} of ${secrets.length} is ${weakness}`,
    ];
  });
  if (problems.length > 0) return { name, ok: false, detail: problems.join("; "), fix: FIXES.SESSION_SECRET };
  const count = secrets.length === 1 ? "1 secret" : `${secrets.length} secrets (the first signs, all verify), each`;
  return { name, ok: true, detail: `${count} of at least ${MIN_SECRET_LENGTH} characters, not trivially weak` };
}

// The rule is the server's own: production refuses at start-up what the doctor fails.
export { secretWeakness };

/** What to do about a variable parseConfig refused. */
export function fixForVariable(variable: string): string {
  if (variable in FIXES) return FIXES[variable as keyof typeof FIXES];
  if (variable.startsWith("KEYCLOAK_REALM_") || variable.startsWith("OIDC_PROVIDER")) {
    return `set ${variable} as docs/DEPLOY.md (Environment) describes`;
  }
  return "set the variable as docs/DEPLOY.md (Environment) describes, in the service's EnvironmentFile";
}

const FIXES = {
  APP_URL:
    "serve the app over https behind a TLS-terminating proxy and set APP_URL=https://app.example.com (its public origin, no path); http is only for localhost or 127.0.0.1",
  PORT: "set PORT to the port the app listens on (the one nginx's proxy_pass names), e.g. 3000, or unset it",
  SESSION_SECRET:
    'generate one with `openssl rand -base64 48`; to rotate without logging everyone out, prepend it: SESSION_SECRET="<new>,<old>"',
  KEYCLOAK_URL:
    "set KEYCLOAK_URL to Keycloak's public base URL, e.g. https://sso.example.com (with /auth only for Keycloak before 17 or a relative path set)",
  KEYCLOAK_REALM: "set KEYCLOAK_REALM to the realm's name as shown in Keycloak's admin console, e.g. demo",
  KEYCLOAK_REALMS: "list more realms comma-separated, e.g. KEYCLOAK_REALMS=acme,globex",
  KEYCLOAK_CLIENT_ID: "set KEYCLOAK_CLIENT_ID to the client id of this app in Keycloak (Clients), e.g. remix-app",
  KEYCLOAK_LOGOUT_METHOD: 'set KEYCLOAK_LOGOUT_METHOD to "redirect" (the default) or "post"',
  OIDC_PROVIDERS: "list provider names comma-separated, each different from every realm name",
  SESSION_MAX_AGE: "set SESSION_MAX_AGE to a number of seconds, e.g. 28800, or unset it",
  IDP_TIMEOUT_MS: "set IDP_TIMEOUT_MS to a number of milliseconds, e.g. 5000, or unset it",
  REDIS_URL: "set REDIS_URL to redis://host:6379 (rediss:// for TLS), or unset it with a single instance",
} as const;
