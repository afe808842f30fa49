// The auth module's layers, built in this process for one configuration: what `createAuth` builds, for tests
// that call a layer's functions directly. Nothing is shared with other instances or with the environment.
import { parseConfig, type AppConfig } from "~/auth/core/config.server";
import type { AuthLog } from "~/auth/core/log.server";
import { createProviderContext } from "~/auth/providers/context.server";
import type { CustomStrategies } from "~/auth/providers/strategy-factory.server";
import { createSessionContext } from "~/auth/session/context.server";
import { createTokenContext } from "~/auth/tokens/context.server";
import { TEST_SESSION_SECRET } from "./app";

/** A configuration from `env`, completed with a realm, a client and a secret where `env` names none. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  return parseConfig({
    KEYCLOAK_URL: "https://sso.example.com",
    KEYCLOAK_REALM: "demo",
    KEYCLOAK_CLIENT_ID: "remix-app",
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...env,
  });
}

/** Log lines, kept to look at instead of printed. */
export function logLines(): AuthLog & { lines: { event: string; outcome: string; detail?: string }[] } {
  const lines: { event: string; outcome: string; detail?: string }[] = [];
  return Object.assign<AuthLog, { lines: typeof lines }>(
    (_request, event, { outcome, detail }) => void lines.push({ event, outcome, detail }),
    { lines },
  );
}

export function sessionContext(env: Record<string, string | undefined> = {}, log: AuthLog = logLines()) {
  return createSessionContext(testConfig(env), log);
}

export function tokenContext(
  env: Record<string, string | undefined> = {},
  { strategies = {}, log = logLines() }: { strategies?: CustomStrategies; log?: AuthLog } = {},
) {
  return createTokenContext(createProviderContext(createSessionContext(testConfig(env), log), strategies));
}
