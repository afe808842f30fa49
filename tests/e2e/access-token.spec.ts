import type { Page } from "@playwright/test";
import type { Stack } from "../support/stack";
import { expect } from "./fixtures";
// The 403 page's own status is logged by Chrome as a console error: page-checks' `test` allows exactly that.
import { test } from "./page-checks";

/** Access tokens live 36 s and are renewed 30 s before they expire: usable for 6 s after they are issued. */
const ACCESS_TOKEN_TTL = 36;
// Without back-channel logout, a logout at the IdP reaches the app only through its refused tokens.
test.use({ stackOptions: { accessTokenTtl: ACCESS_TOKEN_TTL, backchannelLogout: false } });

const tokenRequests = (stack: Stack) =>
  stack.idp.requests.filter((r) => r.method === "POST" && r.path.endsWith("/protocol/openid-connect/token")).length;

/** The access token's expiry as the account page shows it (seconds since the epoch). */
async function shownExpiry(page: Page): Promise<number> {
  return Date.parse((await page.getByTestId("access-token-expiry").getAttribute("datetime"))!) / 1000;
}

/** Waits until the token the page shows needs renewing: computed from its expiry, not guessed. */
async function untilRenewalDue(page: Page) {
  const due = (await shownExpiry(page)) - 30 + 1;
  await expect.poll(() => Date.now() / 1000 > due, { timeout: ACCESS_TOKEN_TTL * 1000 }).toBe(true);
}

test("renews an expired access token with one request to the IdP, even for several parallel requests", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page.getByTestId("api-facts")).toContainText("demo@example.com");
  const firstExpiry = await shownExpiry(page);
  await untilRenewalDue(page);

  const before = tokenRequests(stack);
  // Four requests of this browser at once, each carrying the same session cookie.
  const statuses = await page.evaluate(() =>
    Promise.all(
      Array.from({ length: 4 }, () => fetch("/account", { credentials: "same-origin" }).then((r) => r.status)),
    ),
  );
  expect(statuses).toEqual([200, 200, 200, 200]);
  await page.reload();
  await expect(page.getByTestId("api-facts")).toContainText("demo@example.com");
  expect(await shownExpiry(page)).toBeGreaterThan(firstExpiry);
  expect(tokenRequests(stack) - before).toBe(1);
});

test("sends a user logged out at the IdP to log in at the next API call, and back", async ({ page, stack, signIn }) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page.getByTestId("api-facts")).toContainText("demo@example.com");

  // The user ends the IdP session there (no back-channel logout reaches the app).
  await page.goto(`${stack.idp.issuer("demo")}/protocol/openid-connect/logout`);
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page.getByText("You are logged out")).toBeVisible();

  // The access token has not expired, but the API refuses it, and the IdP the refresh token.
  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("api-facts")).toContainText("demo@example.com");
  await expect
    .poll(() => stack.app.output())
    .toMatch(/"event":"token_refresh","realm":"demo","sub":"[^"]+","outcome":"session_ended"/);
});

test("refuses /admin to a user without the role with a 403 page, and admits one with it", async ({
  browser,
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await signIn("big");
  await expect(page.getByTestId("roles").getByRole("listitem")).toHaveText([
    "account:manage-account",
    "account:view-profile",
  ]);
  const refused = await page.goto(`${app}/admin`);
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You do not have access to this page");
  await expect(page.getByTestId("username")).toHaveText("big");

  const other = await browser.newContext();
  const demo = await other.newPage();
  await demo.goto(`${app}/admin`);
  await demo.getByLabel("Username or email").fill("demo");
  await demo.getByLabel("Password").fill("demo");
  await demo.getByRole("button", { name: "Sign In" }).click();
  await expect(demo).toHaveURL(`${app}/admin`);
  await expect(demo.getByRole("heading", { level: 1 })).toHaveText("Administration");
  await expect(demo.getByTestId("editor")).toContainText("You also have this app's client role editor");
  await demo.goto(`${app}/account`);
  await expect(demo.getByTestId("roles").getByRole("listitem")).toContainText(["admin", "app:editor"]);
  await other.close();
});
