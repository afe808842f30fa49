// Adds up the Vitest (main and load) and Playwright JSON reports into one line: "N passed, N failed".
import { existsSync, readFileSync } from "node:fs";

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null);
const vitest = read("test-results/vitest.json");
const load = read("test-results/vitest-load.json");
const playwright = read("test-results/playwright.json");

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of [vitest, load]) {
  if (!report) continue;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
if (playwright) {
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
  skipped += playwright.stats.skipped;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
