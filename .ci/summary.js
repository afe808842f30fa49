// Adds up the Vitest (main, load, real Keycloak) and Playwright (dev IdP, real Keycloak) JSON reports into one line: "N passed, N failed".
import { existsSync, readFileSync } from "node:fs";

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null);
const vitest = read("test-results/vitest.json");
const load = read("test-results/vitest-load.json");
const playwright = read("test-results/playwright.json");
const vitestKeycloak = read("test-results/vitest-keycloak.json");
const playwrightKeycloak = read("test-results/playwright-keycloak.json");

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of [vitest, load, vitestKeycloak]) {
  if (!report) continue;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
for (const report of [playwright, playwrightKeycloak]) {
  if (!report) continue;
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected;
  skipped += report.stats.skipped;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
