// `npm run doctor`: checks the configuration `npm start` would use against the
// live identity providers (and Redis), one line per check. Exit code 0 only
// when every check passes. Never prints a secret, a token or a credential.
import { DEV_SESSION_SECRET, parseConfig, type AppConfig } from "../app/auth/config.server";
import { ConfigError } from "../app/auth/errors";
import {
  checkAppUrl,
  checkClient,
  checkDiscovered,
  checkEndSession,
  checkIssuer,
  checkRedis,
  checkSessionSecrets,
  checkSigningKeys,
  discover,
  fixForProblem,
  type CheckResult,
} from "./doctor-checks";

// Like remix-serve (npm start), which sets NODE_ENV=production unless told otherwise.
const env: Record<string, string | undefined> = { ...process.env };
env.NODE_ENV ||= "production";
const color = process.stdout.isTTY && !env.NO_COLOR;
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);

async function main(): Promise<number> {
  console.log(`Checking the configuration for ${paint(1, env.NODE_ENV === "production" ? "production" : `NODE_ENV=${env.NODE_ENV}`)}\n`);
  let config: AppConfig;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const results = error.problems.map(({ variable, message }) => {
      return { name: variable, ok: false, detail: message.replace(`${variable}: `, ""), fix: fixForProblem(variable) };
    });
    results.forEach(print);
    console.log(`\n${paint(31, `${results.length} configuration problem${results.length === 1 ? "" : "s"}`)}: the server would not start. Fix ${results.length === 1 ? "it" : "them"} first, then run the doctor again.`);
    return 1;
  }

  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    print(result);
  };
  report(checkAppUrl(config));
  report(checkSessionSecrets(config, DEV_SESSION_SECRET));
  if (config.redisUrl) report(await checkRedis(config.redisUrl, config.idpTimeoutMs));
  // Providers are checked side by side, and printed in their configured order.
  const perProvider = await Promise.all(config.providers.map((provider) => checkProvider(provider, config.idpTimeoutMs)));
  for (const [index, provider] of config.providers.entries()) {
    console.log(`\n${paint(1, provider.name)} ${paint(2, `(${provider.kind === "keycloak" ? "Keycloak realm" : "OpenID provider"} ${provider.issuer})`)}`);
    perProvider[index]!.forEach(report);
  }

  const failed = results.filter((result) => !result.ok).length;
  console.log(
    failed === 0
      ? `\n${paint(32, `All ${results.length} checks passed.`)}`
      : `\n${paint(31, `${failed} of ${results.length} checks failed.`)} See docs/DEPLOY.md (Troubleshooting).`,
  );
  return failed === 0 ? 0 : 1;
}

/** Discovery first; the other checks read the discovered document, so they only run when it was found. */
async function checkProvider(provider: AppConfig["providers"][number], timeoutMs: number): Promise<CheckResult[]> {
  const discovery = await discover(provider, timeoutMs);
  if (!discovery.ok) return [discovery.result];
  const found = checkDiscovered(provider, discovery);
  if (!found.ok) return [found];
  const { document } = discovery;
  return [
    found,
    checkIssuer(provider, document),
    checkEndSession(provider, document),
    await checkSigningKeys(provider, document, timeoutMs),
    await checkClient(provider, document, timeoutMs),
  ];
}

/** The development-only SESSION_SECRET, as parseConfig supplies it when none is set (it is not exported). */

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
