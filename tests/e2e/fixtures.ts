import { test as base, expect, type Page } from "@playwright/test";
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
  failOnConsoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
      });
      page.on("pageerror", (error) => errors.push(error.message));
      await use();
      expect(errors).toEqual([]);
    },
    { auto: true },
  ],
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

export { expect };

export function isIdpLogout(stack: Stack, realm = "demo") {
  return (url: string) => url.startsWith(`${stack.idp.url}/realms/${realm}/protocol/openid-connect/logout`);
}

/** Back from the IdP's logout: the app's logged-out page, by text only that page has. */
export async function expectLoggedOutPage(page: Page, app: string) {
  await page.waitForURL((url) => url.href.startsWith(`${app}/logout/callback?state=`));
  await expect(page.getByRole("heading", { name: "You are logged out" })).toBeVisible();
  await expect(page.getByText("Your session in this app and at your identity provider has ended.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Log in again" })).toBeVisible();
  await expectSignedOut(page);
  // Settled (hydrated) before the test goes on: leaving the page mid-hydration makes React log error #345.
  await page.waitForLoadState("networkidle");
}

/** The parameters the browser sent to the end-session endpoint, as a form POST or in the URL. */
export function sentEndSessionParams(request: { url(): string; postData(): string | null }) {
  return Object.fromEntries(new URLSearchParams(request.postData() ?? new URL(request.url()).search));
}

export async function expectSignedOut(page: Page) {
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Log out" })).toHaveCount(0);
}
