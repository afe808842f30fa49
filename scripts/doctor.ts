// `npm run doctor`: checks the configuration `npm start` would use against the
// live identity providers (and Redis), one line per check. Exit code 0 only
// when every check passes. Never prints a secret, a token or a credential.
// Every rule is the app's own (parseConfig, discover, clientAuthentication,
// the redirect URIs): the doctor only asks, and explains what it finds.
import { parseConfig, type AppConfig, type ProviderConfig } from "../app/auth/core/config.server";
import { ConfigError } from "../app/auth/core/errors";
import { checkClientCredentials, checkPostLogoutRedirectUri, checkRedirectUri } from "./doctor/client";
import { checkDiscovery, checkDpop, checkEndSession, checkIssuer } from "./doctor/discovery";
import { checkSigningKeys } from "./doctor/keys";
import { checkRedis } from "./doctor/redis";
import type { CheckResult } from "./doctor/result";
import { checkAppUrl, checkSessionSecrets, fixForVariable } from "./doctor/settings";

// Like remix-serve (npm start), which sets NODE_ENV=production unless told otherwise.
const env: Record<string, string | undefined> = { ...process.env };
env.NODE_ENV ||= "production";
const color = process.stdout.isTTY && !env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);

/** What a client's settings at the provider may still get wrong that no request without admin access can show. */
const notChecked = (appUrl: string) =>
  "Not checked (they need admin access): which way a logout elsewhere reaches the app. Either back-channel: " +
  `"Front channel logout" Off, "Backchannel logout URL" ${appUrl}/auth/{realm}/backchannel-logout, "session required" On; ` +
  `or front-channel: "Front channel logout" On, "Front-channel logout URL" ${appUrl}/auth/{realm}/frontchannel-logout, ` +
  '"session required" On. See docs/DEPLOY.md.';

async function main(): Promise<number> {
  console.log(
    `Checking the configuration for ${paint(1, env.NODE_ENV === "production" ? "production" : `NODE_ENV=${env.NODE_ENV}`)}\n`,
  );
  let config: AppConfig;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const results = error.problems.map(({ variable, message }) => ({
      name: variable,
      ok: false,
      detail: message.startsWith(variable) ? message.slice(variable.length).replace(/^:?\s*/, "") : message,
      fix: fixForVariable(variable),
    }));
    results.forEach(print);
    console.log(
      `\n${paint(31, `${results.length} configuration problem${results.length === 1 ? "" : "s"}`)}: the server would not start. Fix ${results.length === 1 ? "it" : "them"} first, then run the doctor again.`,
    );
    return 1;
  }

  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    print(result);
  };
  report(checkAppUrl(config));
  report(checkSessionSecrets(config));
  if (config.redisUrl) report(await checkRedis(config.redisUrl, config.idpTimeoutMs));
  // Providers are checked side by side, and printed in their configured order.
  const perProvider = await Promise.all(config.providers.map((provider) => checkProvider(provider, config)));
  for (const [index, provider] of config.providers.entries()) {
    console.log(
      `\n${paint(1, provider.name)} ${paint(2, `(${provider.kind === "keycloak" ? "Keycloak realm" : "OpenID provider"} ${provider.issuer})`)}`,
    );
    perProvider[index]!.forEach(report);
  }

  const failed = results.filter((result) => !result.ok).length;
  console.log(
    failed === 0
      ? `\n${paint(32, `All ${results.length} checks passed.`)}`
      : `\n${paint(31, `${failed} of ${results.length} checks failed.`)} See docs/DEPLOY.md (Troubleshooting).`,
  );
  console.log(paint(2, notChecked(config.appUrl)));
  return failed === 0 ? 0 : 1;
}

/** Discovery first; the other checks read the discovered document, so they only run when it was found. */
async function checkProvider(provider: ProviderConfig, { appUrl, idpTimeoutMs }: AppConfig): Promise<CheckResult[]> {
  const discovery = await checkDiscovery(provider, idpTimeoutMs);
  if (!discovery.ok) return [discovery.result];
  const { metadata } = discovery;
  const endSession = checkEndSession(provider, metadata);
  const credentials = await checkClientCredentials(provider, metadata, appUrl, idpTimeoutMs);
  const results = [
    discovery.result,
    checkIssuer(provider),
    endSession,
    await checkSigningKeys(provider, metadata, idpTimeoutMs),
    ...[checkDpop(provider, metadata) ?? []].flat(),
    credentials,
  ];
  // A client the provider does not know fails the URL checks too: one fix at a time.
  if (!credentials.ok) return results;
  results.push(await checkRedirectUri(provider, metadata, appUrl, idpTimeoutMs));
  if (endSession.ok) results.push(await checkPostLogoutRedirectUri(provider, metadata, appUrl, idpTimeoutMs));
  return results;
}

function print({ name, ok, detail, fix }: CheckResult): void {
  const mark = ok ? paint(32, "✓") : paint(31, "✗");
  console.log(`${mark} ${name}${detail ? paint(2, ` — ${detail}`) : ""}`);
  if (!ok && fix) console.log(`    ${paint(33, "fix:")} ${fix}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`doctor failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
