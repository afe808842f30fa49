import { defineConfig } from "vitest/config";

// The load test alone (`npm run test:load`; a 10 s run is part of `npm test`).
export default defineConfig({
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  test: {
    include: ["tests/load/**/*.test.ts"],
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest-load.json" }]],
  },
});
