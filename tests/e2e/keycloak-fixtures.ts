// Browser tests against real Keycloak (IDP=keycloak): Keycloak's own login form
// (#username, #password, #kc-login) and logout confirmation (#kc-logout).
import { test as base, expect, type Page } from "@playwright/test";
import { startKeycloakStack, type KeycloakStack, type KeycloakStackOptions } from "../support/keycloak";

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
    async ({ page, stack }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" && page.url().startsWith(stack.app.url))
          errors.push(`${message.text()} (${message.location().url})`);
      });
      await use();
      expect(errors).toEqual([]);
    },
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

export { expect };

export const isKeycloakLogout =
  (stack: KeycloakStack, realm = "demo") =>
  (url: string) =>
    url.startsWith(`${stack.idp.issuer(realm)}/protocol/openid-connect/logout`);

/** Back from Keycloak's logout: the app's logged-out page. */
export async function expectLoggedOutPage(page: Page, app: string) {
  await page.waitForURL((url) => url.href.startsWith(`${app}/logout/callback?state=`));
  await expect(page.getByRole("heading", { name: "You are logged out" })).toBeVisible();
  // Text only the completed logout's page has (the incomplete one shares the heading).
  await expect(page.getByText("Your session in this app and at your identity provider has ended.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Log in again" })).toBeVisible();
  // Settled (hydrated) before the test goes on: leaving the page mid-hydration makes React log error #345.
  await page.waitForLoadState("networkidle");
}
