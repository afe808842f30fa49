import type { Page } from "@playwright/test";
import { expect } from "./fixtures";
import { expectNoAccessibilityViolations, saveScreenshot, SCHEMES, test, WIDTHS } from "./page-checks";

/** The `big` user of the dev IdP has 60 groups: /organisation/department-01/… to department-60. */
async function openAccountAsBig(page: Page, app: string, signIn: (username: string) => Promise<void>) {
  await page.goto(`${app}/account`);
  await signIn("big");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
}

const groupsCell = (page: Page) =>
  page
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: "groups", exact: true }) })
    .getByRole("cell")
    .nth(1);

test("shows 60 groups as a counted list, folded after the first five", async ({ page, stack, signIn }) => {
  await openAccountAsBig(page, stack.app.url, signIn);
  const groups = groupsCell(page);
  await expect(groups.locator(".claim-count")).toHaveText("60 values");
  await expect(groups.getByRole("listitem").filter({ visible: true })).toHaveCount(5);
  await expect(groups.getByText(/^\/organisation\/department-60\//)).toBeHidden();

  // As one comma-joined paragraph, the groups made the page 2,700 px tall at 1280 px and 6,800 px at 360 px.
  for (const [width, pageHeight] of [
    [1280, 1800],
    [360, 2500],
  ] as const) {
    await page.setViewportSize({ width, height: 800 });
    expect((await groups.boundingBox())!.height).toBeLessThan(500);
    // Measured without the roles, API, password and other-devices sections, which came later and do not grow with
    // the groups.
    const height = await page.evaluate(
      () =>
        document.documentElement.scrollHeight -
        ["roles", "api", "password", "everywhere"].reduce(
          (sum, id) => sum + document.getElementById(id)!.closest("section")!.getBoundingClientRect().height,
          0,
        ),
    );
    expect(height).toBeLessThan(pageHeight);
  }

  await groups.getByText("55 more").click();
  await expect(groups.getByRole("listitem").filter({ visible: true })).toHaveCount(60);
  await expect(groups.getByText(/^\/organisation\/department-60\//)).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the folded groups still open", async ({ page, stack, signIn }, testInfo) => {
    await openAccountAsBig(page, stack.app.url, signIn);
    const groups = groupsCell(page);
    await expect(groups.getByText(/^\/organisation\/department-60\//)).toBeHidden();
    await saveScreenshot(page, testInfo, "account-big-no-js", 360);
    await groups.getByText("55 more").click();
    await expect(groups.getByText(/^\/organisation\/department-60\//)).toBeVisible();
  });
});

for (const scheme of SCHEMES) {
  test(`account with 60 groups is accessible and laid out at 360 and 1280 px in the ${scheme} scheme`, async ({
    page,
    stack,
    signIn,
  }, testInfo) => {
    await page.emulateMedia({ colorScheme: scheme });
    await openAccountAsBig(page, stack.app.url, signIn);
    for (const width of WIDTHS) {
      await saveScreenshot(page, testInfo, `account-big-${scheme}`, width);
      await expectNoAccessibilityViolations(page);
    }
    await groupsCell(page).getByText("55 more").click();
    await saveScreenshot(page, testInfo, `account-big-open-${scheme}`, 360);
    await expectNoAccessibilityViolations(page);
  });
}
