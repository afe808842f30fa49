import { defineConfig } from "vitest/config";

// IDP=keycloak: the integration tests that run against a real Keycloak, one
// file at a time (they share it), Keycloak started once for the run.
export default defineConfig({
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  test: {
    include: ["tests/integration/keycloak-*.test.ts"],
    fileParallelism: false,
    globalSetup: ["tests/support/keycloak-global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest-keycloak.json" }]],
  },
});
