// Browser tests against real Keycloak (IDP=keycloak): Keycloak's own login form
// (#username, #password, #kc-login) and logout confirmation (#kc-logout).
import { test as base, expect } from "@playwright/test";
import { expectLoggedOutPage, failingOnConsoleErrors } from "../app-pages";
import { startKeycloakStack, type KeycloakStack, type KeycloakStackOptions } from "../../support/keycloak";

export const test = base.extend<
  { signIn: (username: string, password?: string) => Promise<void>; failOnConsoleErrors: void },
  { stack: KeycloakStack; stackOptions: KeycloakStackOptions }
>({
  stackOptions: [{}, { scope: "worker", option: true }],
  stack: [
    async ({ stackOptions }, use) => {
      const stack = await startKeycloakStack(stackOptions);
      await use(stack);
      await stack.stop();
    },
    { scope: "worker" },
  ],
  /** A console error on the app's pages fails the test (Keycloak's own pages are not ours to judge). */
  failOnConsoleErrors: [
    async ({ page, stack }, use) => failingOnConsoleErrors(page, use, () => page.url().startsWith(stack.app.url)),
    { auto: true },
  ],
  /** Fills Keycloak's login form, which must be on screen. */
  signIn: async ({ page }, use) => {
    await use(async (username, password = username) => {
      await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
      await page.locator("#username").fill(username);
      await page.locator("#password").fill(password);
      await page.locator("#kc-login").click();
    });
  },
});

export { expect, expectLoggedOutPage };

export const isKeycloakLogout =
  (stack: KeycloakStack, realm = "demo") =>
  (url: string) =>
    url.startsWith(`${stack.idp.issuer(realm)}/protocol/openid-connect/logout`);
