import { remix } from "~/auth/frameworks/remix.server";
import { ConfigError, createAuth, DEV_SESSION_SECRET, parseConfig } from "~/auth/index.server";
import stylesheet from "~/styles.css";

/**
 * The app's auth: configured from the environment once, when the server starts (a bad variable stops it with
 * one line each, instead of failing on the first request). Routes call its methods. To customise a provider
 * in code, pass its strategy here: `createAuth(config, { strategies: { partner: … } })` (docs/EXTENDING.md).
 */
export const auth = authOrExit();

function authOrExit() {
  try {
    const config = parseConfig(process.env);
    if (!config.production && config.sessionSecrets[0] === DEV_SESSION_SECRET) {
      console.warn("SESSION_SECRET is not set: using a development-only secret");
    }
    return createAuth(config, { framework: remix, look: { stylesheet, appName: "Remix + Keycloak" } });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(`Configuration error: ${problem.message}`);
    process.exit(1);
  }
}
