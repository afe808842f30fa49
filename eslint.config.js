// ESLint: JavaScript, TypeScript, React hooks and accessibility. Formatting is Prettier's job.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "build/",
      "public/build/",
      ".cache/",
      "test-results/",
      "playwright-report/",
      "node_modules/",
      "tests/react-router-app/build/",
      "tests/react-router-app/.react-router/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // remix-auth's convention: a strategy's option types live in a namespace merged with the class.
      "@typescript-eslint/no-namespace": "off",
    },
  },
  { files: ["**/*.d.ts"], rules: { "@typescript-eslint/triple-slash-reference": "off" } },
  // The auth module has one entry: the app reaches nothing behind it (its layers: npm run shape).
  {
    files: ["app/**"],
    ignores: ["app/auth/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["~/auth/*", "!~/auth/index.server", "!~/auth/frameworks", "./auth/*", "../auth/*"],
              message: "Import the auth module through its entry, ~/auth/index.server (and its framework's adapter).",
            },
          ],
        },
      ],
    },
  },
  // Playwright fixtures are declared by destructuring, also when a test uses none.
  { files: ["tests/e2e/**"], rules: { "no-empty-pattern": "off" } },
  {
    files: ["app/**/*.tsx", "tests/react-router-app/**/*.tsx"],
    ...react.configs.flat.recommended,
    ...react.configs.flat["jsx-runtime"],
    settings: { react: { version: "detect" } },
  },
  {
    files: ["app/**/*.tsx", "tests/react-router-app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks, "jsx-a11y": jsxA11y },
    rules: { ...reactHooks.configs.recommended.rules, ...jsxA11y.flatConfigs.recommended.rules },
  },
);
