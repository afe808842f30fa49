import { DEFAULT_USERS, groupPaths } from "../../dev/idp/users.js";
import { expect } from "./fixtures";
import { expectNoAccessibilityViolations, saveScreenshot, SCHEMES, test } from "./page-checks";

const [demo] = DEFAULT_USERS;
// 200 long group paths: an ID token of about 20 KB, far over the session's budget.
const groupie = {
  ...demo!,
  sub: "7d1f0c2e-0b6a-4c3e-9f51-2a8e6b4d9c70",
  username: "groupie",
  password: "groupie",
  email: "groupie@example.com",
  groups: groupPaths(200),
};

test.use({ stackOptions: { users: [demo!, groupie] } });

async function expectRefusal(page: import("@playwright/test").Page, app: string) {
  await expect(page).toHaveURL((url) => url.href.startsWith(`${app}/auth/demo/callback?`));
  await expect(page.getByRole("heading", { name: "Your account has too many groups to sign in here" })).toBeVisible();
  await expect(page.getByText('turn off "Add to ID token" on the group membership mapper')).toBeVisible();
  expect((await page.context().cookies(app)).filter((cookie) => cookie.name.startsWith("__session"))).toEqual([]);
}

test("refuses a session over the budget with a page that says what to change, then signs in another account in the same browser", async ({
  page,
  stack,
  signIn,
}, testInfo) => {
  const app = stack.app.url;
  await page.goto(`${app}/login`);
  await signIn("groupie");
  await expectRefusal(page, app);
  await expectNoAccessibilityViolations(page);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await saveScreenshot(page, testInfo, `session-too-large-${scheme}`, 360);
  }

  await page.getByRole("link", { name: "Sign in with another account" }).click();
  await signIn("demo");
  await expect(page).toHaveURL(`${app}/`);
  await expect(page.getByTestId("username")).toHaveText("demo");
});

test("a browser carrying session cookies the app cannot read is signed out and can sign in", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  const { hostname } = new URL(app);
  // What an older version could leave: six chunks of something no secret decrypts.
  await page.context().addCookies(
    Array.from({ length: 6 }, (_, i) => ({
      name: i ? `__session.${i}` : "__session",
      value: "x".repeat(2000),
      domain: hostname,
      path: "/",
    })),
  );
  await page.goto(`${app}/`);
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  expect((await page.context().cookies(app)).filter((cookie) => cookie.name.startsWith("__session"))).toEqual([]);

  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("shows the same refusal page, and the way to another account", async ({ page, stack, signIn }, testInfo) => {
    const app = stack.app.url;
    await page.goto(`${app}/login`);
    await signIn("groupie");
    await expectRefusal(page, app);
    await saveScreenshot(page, testInfo, "session-too-large-nojs", 360);

    await page.getByRole("link", { name: "Sign in with another account" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  });
});
