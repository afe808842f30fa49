import { configDefaults, defineConfig } from "vitest/config";

// IDP=keycloak runs the real-Keycloak integration tests (tests/integration/keycloak/)
// instead: one file at a time (they share one Keycloak), Keycloak started once
// for the run unless KEYCLOAK_TEST_URL names one (npm run test:keycloak).
const onKeycloak = process.env.IDP === "keycloak";

export default defineConfig({
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  test: {
    ...(onKeycloak
      ? {
          include: ["tests/integration/keycloak/**/*.test.ts"],
          fileParallelism: false,
          globalSetup: ["tests/support/keycloak-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        }
      : {
          include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/property/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "tests/integration/keycloak/**"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        }),
    reporters: ["default", ["json", { outputFile: `test-results/vitest${onKeycloak ? "-keycloak" : ""}.json` }]],
  },
});
