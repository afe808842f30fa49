import { expect } from "./fixtures";
import { expectNoAccessibilityViolations, saveScreenshot, SCHEMES, test } from "./page-checks";

test("hides the claims from the account page, says so once, and remembers it", async ({
  page,
  stack,
  signIn,
}, testInfo) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page.getByRole("table")).toBeVisible();

  await page.getByRole("button", { name: "Hide the claims" }).click();
  await expect(page.getByRole("status")).toHaveText("The claims table is hidden.");
  await expect(page.getByRole("table")).toHaveCount(0);
  await expectNoAccessibilityViolations(page);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await saveScreenshot(page, testInfo, `account-notice-${scheme}`, 360);
  }

  await page.reload();
  await expect(page.getByRole("button", { name: "Show the claims" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveCount(0);
  await expect(page.getByRole("table")).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the same form works as a plain POST", async ({ page, stack, signIn }, testInfo) => {
    const app = stack.app.url;
    await page.goto(`${app}/account`);
    await signIn("demo");
    await page.getByRole("button", { name: "Hide the claims" }).click();
    await expect(page.getByRole("status")).toHaveText("The claims table is hidden.");
    await saveScreenshot(page, testInfo, "account-notice-nojs", 360);
    await page.getByRole("button", { name: "Show the claims" }).click();
    await expect(page.getByRole("status")).toHaveText("The claims table is shown again.");
    await expect(page.getByRole("table")).toBeVisible();
  });
});
