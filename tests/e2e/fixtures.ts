import { test as base, expect } from "@playwright/test";
import { expectLoggedOutPage, expectSignedOut, failingOnConsoleErrors, sentEndSessionParams } from "./app-pages";
import { startStack, type Stack, type StackOptions } from "../support/stack";

export const test = base.extend<
  { signIn: (username: string, password?: string) => Promise<void>; failOnConsoleErrors: void },
  { stack: Stack; stackOptions: StackOptions }
>({
  stackOptions: [{}, { scope: "worker", option: true }],
  stack: [
    async ({ stackOptions }, use) => {
      const stack = await startStack(stackOptions);
      await use(stack);
      await stack.stop();
    },
    { scope: "worker" },
  ],
  /** A console error (a CSP violation, a hydration error, a script error) fails the test. */
  failOnConsoleErrors: [async ({ page }, use) => failingOnConsoleErrors(page, use), { auto: true }],
  /** Fills the IdP's login form, which must be on screen. */
  signIn: async ({ page }, use) => {
    await use(async (username, password = username) => {
      await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
      await page.getByLabel("Username or email").fill(username);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign In" }).click();
    });
  },
});

export { expect, expectLoggedOutPage, expectSignedOut, sentEndSessionParams };

export function isIdpLogout(stack: Stack, realm = "demo") {
  return (url: string) => url.startsWith(`${stack.idp.url}/realms/${realm}/protocol/openid-connect/logout`);
}
