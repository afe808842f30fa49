import type { Page, TestInfo } from "@playwright/test";
import { startStack, type Stack } from "../support/stack";
import { expect, expectSignedOut } from "./fixtures";
import { expectNoAccessibilityViolations, saveScreenshot, SCHEMES, test, WIDTHS } from "./page-checks";

interface PageUnderTest {
  name: string;
  path: string;
  heading: string | RegExp;
  status?: number;
  signedIn?: boolean;
  /** Who signs in, when not demo. */
  username?: string;
}

const PAGES: PageUnderTest[] = [
  { name: "home", path: "/", heading: "Keycloak login and logout in Remix" },
  { name: "home-signed-in", path: "/", heading: "Keycloak login and logout in Remix", signedIn: true },
  { name: "account", path: "/account", heading: "Your account", signedIn: true },
  // The real logged-out page needs a valid logout state: tests/e2e/logout.spec.ts checks it after a logout.
  { name: "logout-link-invalid", path: "/logout/callback", heading: "This logout link is not valid", status: 400 },
  // A used or expired logout link in a browser where no one is signed in (issue 28.3).
  { name: "signed-out", path: "/logout/callback?state=stale", heading: "You are signed out" },
  { name: "admin", path: "/admin", heading: "Administration", signedIn: true },
  // After "Sign out of all devices" (issue 24.2): everywhere, and when the provider refused its part.
  {
    name: "signed-out-everywhere",
    path: "/logout/everywhere?outcome=ended&realm=demo",
    heading: "You are signed out everywhere",
  },
  {
    name: "signed-out-everywhere-refused",
    path: "/logout/everywhere?outcome=refused&realm=demo",
    heading: "You are signed out of this app everywhere",
  },
  {
    name: "admin-forbidden",
    path: "/admin",
    heading: "You do not have access to this page",
    status: 403,
    signedIn: true,
    username: "big",
  },
  {
    name: "logout-idp-unreachable",
    path: "/logout/incomplete?reason=idp_unreachable&realm=demo",
    heading: "You are logged out of this app",
    status: 503,
  },
  { name: "callback-error", path: "/auth/demo/callback?code=x&state=y", heading: /sign-in/i, status: 400 },
  {
    name: "callback-cancelled",
    path: "/auth/demo/callback?error=access_denied&state=y",
    heading: "You cancelled the sign-in",
    status: 400,
  },
  { name: "unknown-provider", path: "/auth/nope/login", heading: "Unknown sign-in provider", status: 404 },
  { name: "not-found", path: "/no-such-page", heading: "Page not found", status: 404 },
];

/** Screenshots at both widths, and no WCAG 2.1 A/AA violation at either. */
async function checkPage(page: Page, testInfo: TestInfo, name: string, heading: string | RegExp) {
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
  await expect(page.getByRole("banner")).toBeVisible();
  await expect(page.getByRole("main")).toBeVisible();
  for (const width of WIDTHS) {
    await saveScreenshot(page, testInfo, name, width);
    await expectNoAccessibilityViolations(page);
  }
}

for (const scheme of SCHEMES) {
  test.describe(`${scheme} scheme`, () => {
    for (const { name, path, heading, status = 200, signedIn, username } of PAGES) {
      test(`${name} is accessible and laid out at 360 and 1280 px`, async ({ page, stack, logIn }, testInfo) => {
        await page.emulateMedia({ colorScheme: scheme });
        if (signedIn) await logIn(username);
        const response = await page.goto(`${stack.app.url}${path}`);
        expect(response?.status()).toBe(status);
        await checkPage(page, testInfo, `${name}-${scheme}`, heading);
      });
    }
  });
}

/** A second stack, with a realm picker; `test.use({ stackOptions })` would need a file of its own. */
const withRealmPicker = test.extend<object, { pickerStack: Stack }>({
  pickerStack: [
    async ({}, use) => {
      const stack = await startStack({ realms: ["demo", "acme"] });
      await use(stack);
      await stack.stop();
    },
    { scope: "worker" },
  ],
});

for (const scheme of SCHEMES) {
  withRealmPicker(
    `login-picker is accessible and laid out at 360 and 1280 px in the ${scheme} scheme`,
    async ({ page, pickerStack }, testInfo) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${pickerStack.app.url}/login`);
      await expect(page.getByRole("link", { name: "acme" })).toBeVisible();
      await checkPage(page, testInfo, `login-picker-${scheme}`, "Log in");
    },
  );
}

/** Stacks for pages that need the provider to misbehave: a client secret it refuses, access tokens always due. */
const withTroubledProvider = test.extend<object, { refusedStack: Stack; renewingStack: Stack }>({
  refusedStack: [
    async ({}, use) => {
      const stack = await startStack({ env: { KEYCLOAK_CLIENT_SECRET: "not-the-client-secret" } });
      await use(stack);
      await stack.stop();
    },
    { scope: "worker" },
  ],
  renewingStack: [
    async ({}, use) => {
      const stack = await startStack({ accessTokenTtl: 30 });
      await use(stack);
      await stack.stop();
    },
    { scope: "worker" },
  ],
});

for (const scheme of SCHEMES) {
  withTroubledProvider(
    `client-rejected is accessible and laid out at 360 and 1280 px in the ${scheme} scheme (issue 28.5)`,
    async ({ page, refusedStack, signIn }, testInfo) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${refusedStack.app.url}/login`);
      await signIn("demo");
      await expect(page.getByRole("button", { name: "Sign out of demo" })).toBeVisible();
      await checkPage(page, testInfo, `client-rejected-${scheme}`, "This app cannot sign anyone in just now");
    },
  );

  withTroubledProvider(
    `account-provider-down is accessible and laid out at 360 and 1280 px in the ${scheme} scheme (issue 28.8)`,
    async ({ page, renewingStack, signIn }, testInfo) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(`${renewingStack.app.url}/account`);
      await signIn("demo");
      await expect(page.getByTestId("account-username")).toHaveText("demo");
      renewingStack.idp.faults.down = true;
      try {
        const response = await page.reload();
        expect(response?.status()).toBe(200);
        await expect(page.getByTestId("roles-error")).toContainText("We could not reach demo");
        await checkPage(page, testInfo, `account-provider-down-${scheme}`, "Your account");
      } finally {
        renewingStack.idp.faults.down = false;
      }
    },
  );
}

test("error pages explain, offer one way on, and show no stack trace", async ({ page, stack }) => {
  const app = stack.app.url;
  await page.goto(`${app}/no-such-page`);
  await expect(page.getByRole("main").getByRole("link", { name: "Back to home" })).toHaveAttribute("href", "/");
  await expect(page).toHaveTitle("Page not found");

  await page.goto(`${app}/auth/demo/callback?code=x&state=y`);
  await expect(page.getByRole("link", { name: "Try again" })).toHaveAttribute("href", "/auth/demo/login");
  await expect(page.getByRole("main")).not.toContainText(/Error:|\bat \S+ \(|node_modules/);
});

test("shows where the keyboard focus is", async ({ page, stack }) => {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(stack.app.url);
    await page.keyboard.press("Tab");
    const focused = page.locator(":focus");
    await expect(focused).toHaveText("Remix + Keycloak");
    await expect(focused).toHaveCSS("outline-style", "solid");
    await expect(focused).toHaveCSS("outline-width", "3px");
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("shows the roles, the API's answer, /admin and the 403 page", async ({ page, stack, signIn }, testInfo) => {
    const app = stack.app.url;
    await page.goto(`${app}/account`);
    await signIn("big");
    await expect(page.getByTestId("api-facts")).toContainText("big@example.com");
    await expect(page.getByTestId("roles")).not.toContainText("admin");
    const refused = await page.goto(`${app}/admin`);
    expect(refused?.status()).toBe(403);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("You do not have access to this page");
    await expect(page.getByRole("main").getByRole("link", { name: "Back to home" })).toHaveAttribute("href", "/");
    await saveScreenshot(page, testInfo, "admin-forbidden-no-js", 360);
  });

  test("shows the account page with its claims table, then logs out", async ({ page, stack, signIn }) => {
    const app = stack.app.url;
    await page.goto(`${app}/account`);
    await signIn("demo");
    await expect(page).toHaveURL(`${app}/account`);

    await expect(page.getByTestId("account-username")).toHaveText("demo");
    const claims = page.getByRole("table");
    await expect(claims.getByRole("columnheader")).toHaveText(["Claim", "Value"]);
    await expect(claims.getByRole("cell", { name: "preferred_username" })).toBeVisible();
    const expiry = claims
      .getByRole("row")
      .filter({ has: page.getByRole("cell", { name: "exp", exact: true }) })
      .locator("time");
    await expect(expiry).toHaveText(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} UTC$/);
    await expect(expiry).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await expect(page.getByRole("definition").locator("time")).toBeVisible();

    await page.getByRole("button", { name: "Log out" }).click();
    // Without JavaScript no logout step submits itself: the user presses "Continue" on each one offered.
    const continueButton = page.getByRole("button", { name: "Continue" });
    for (let step = 0; step < 3 && (await continueButton.isVisible()); step++) {
      await continueButton.click();
      await page.waitForLoadState();
    }
    await expectSignedOut(page);
  });
});

/** `DOCS_SCREENSHOTS=1 npx playwright test pages` refreshes the README's pictures. */
test("captures the README screenshots", async ({ page, stack, logIn }) => {
  test.skip(!process.env.DOCS_SCREENSHOTS, "only when DOCS_SCREENSHOTS is set");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await logIn();
  await page.screenshot({ path: "docs/screenshots/home.png" });
  await page.goto(`${stack.app.url}/account`);
  await page.screenshot({ path: "docs/screenshots/account.png", fullPage: true });
});
