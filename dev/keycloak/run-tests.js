#!/usr/bin/env node
// `npm run test:keycloak`: starts Keycloak once, runs the IDP=keycloak
// integration (Vitest) and browser (Playwright) suites against it, stops it.
// Expects the production build (`npm run build`). KEYCLOAK_VERSION picks
// another Keycloak; `--if-available` (npm test) skips, saying so, when java or
// mvn is missing instead of failing, except in CI (CI=true), which must run them.
import { spawn } from "node:child_process";
import { missingTools, PINNED_VERSION, root, startKeycloak } from "./index.js";

const missing = missingTools();
if (missing) {
  if (process.argv.includes("--if-available") && !process.env.CI) {
    console.log(
      `\nSkipping the real-Keycloak suites: ${missing}. npm run test:keycloak runs them; bash .ci/run installs both.\n`,
    );
    process.exit(0);
  }
  console.error(`${missing}.`);
  process.exit(1);
}

const version = process.env.KEYCLOAK_VERSION || PINNED_VERSION;
console.log(`\nReal-Keycloak suites: starting Keycloak ${version}…`);
const started = Date.now();
let keycloak;
try {
  keycloak = await startKeycloak({ version });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
console.log(`Keycloak ${version} up at ${keycloak.url} in ${(keycloak.startMs / 1000).toFixed(0)} s`);

let current;
const stopAll = async (code) => {
  current?.kill("SIGTERM");
  await keycloak.stop();
  process.exit(code);
};
process.on("SIGINT", () => stopAll(130));
process.on("SIGTERM", () => stopAll(143));

const env = { ...process.env, IDP: "keycloak", KEYCLOAK_TEST_URL: keycloak.url, KEYCLOAK_VERSION: version };
const run = (command, args) =>
  new Promise((resolve) => {
    current = spawn(command, args, { cwd: root, env, stdio: "inherit" });
    current.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const vitest = await run(process.execPath, ["node_modules/vitest/vitest.mjs", "run"]);
const playwright = await run(process.execPath, ["node_modules/@playwright/test/cli.js", "test"]);
console.log(
  `Real-Keycloak suites against ${version}: ${((Date.now() - started) / 1000).toFixed(0)} s in all, Keycloak start included`,
);
await stopAll(vitest || playwright);
