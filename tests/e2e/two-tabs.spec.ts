// Issue 18.7: two tabs logging in at once each come back to the page they asked for.
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

async function signInOn(page: Page) {
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await page.getByLabel("Username or email").fill("demo");
  await page.getByLabel("Password").fill("demo");
  await page.getByRole("button", { name: "Sign In" }).click();
}

test("two tabs logging in at once each land where they started", async ({ page, context, stack }) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`); // tab A: a protected page sends it to log in
  const tabB = await context.newPage();
  await tabB.goto(`${app}/login`); // tab B: the plain login link, back to the home page
  await signInOn(tabB);
  await expect(tabB).toHaveURL(`${app}/`);
  await signInOn(page);
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await tabB.close();
});
