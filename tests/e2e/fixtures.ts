import { test as base, expect } from "@playwright/test";
import { expectLoggedOutPage, expectSignedOut, failingOnConsoleErrors, sentEndSessionParams } from "./app-pages";
import { startStack, type Stack, type StackOptions } from "../support/stack";

export const test = base.extend<
  {
    signIn: (username: string, password?: string) => Promise<void>;
    logIn: (username?: string) => Promise<void>;
    failOnConsoleErrors: void;
  },
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
  /** Logs in from the app's /login through the IdP's form, until the header shows the user. */
  logIn: async ({ page, stack, signIn }, use) => {
    await use(async (username = "demo") => {
      await page.goto(`${stack.app.url}/login`);
      await signIn(username);
      await expect(page.getByTestId("username")).toHaveText(username);
    });
  },
});

export { expect, expectLoggedOutPage, expectSignedOut, sentEndSessionParams };

export function isIdpLogout(stack: Stack, realm = "demo") {
  return (url: string) => url.startsWith(`${stack.idp.url}/realms/${realm}/protocol/openid-connect/logout`);
}
