import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download cannot work on these machines.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// IDP=keycloak runs the real-Keycloak specs (tests/e2e/keycloak/) instead, with
// Keycloak started once for the run unless KEYCLOAK_TEST_URL names one.
const onKeycloak = process.env.IDP === "keycloak";

export default defineConfig({
  testDir: "tests/e2e",
  ...(onKeycloak
    ? { testMatch: "keycloak/**/*.spec.ts", globalSetup: "./tests/support/keycloak-global-setup.ts", timeout: 120_000 }
    : { testIgnore: "keycloak/**" }),
  outputDir: onKeycloak ? "test-results/e2e-keycloak" : "test-results/e2e",
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: `test-results/playwright${onKeycloak ? "-keycloak" : ""}.json` }]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
