// The failure pages answer 400: page-checks' `test` lets Chromium log that, and nothing else.
import { expect } from "./fixtures";
import { test } from "./page-checks";

test("says the user cancelled when the provider answers access_denied", async ({ page, stack }) => {
  const app = stack.app.url;
  stack.idp.clearRequests();
  await page.goto(`${app}/auth/demo/login`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  const { state } = stack.idp.requests.find((request) => request.path.endsWith("/protocol/openid-connect/auth"))!.query;
  expect(state).toBeTruthy();

  // What the provider sends the browser back with when the user cancels at its login page.
  await page.goto(`${app}/auth/demo/callback?${new URLSearchParams({ error: "access_denied", state: state! })}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You cancelled the sign-in");
  await expect(page).toHaveTitle("You cancelled the sign-in");
  await expect(page.getByText("expired")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Try again" })).toHaveAttribute("href", "/auth/demo/login");
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
});

test("still says cancelled when the sign-in state has gone meanwhile", async ({ page, stack }) => {
  const app = stack.app.url;
  // The state cookie lives 5 minutes: a user who cancels later comes back without it.
  await page.goto(
    `${app}/auth/demo/callback?${new URLSearchParams({ error: "access_denied", state: "from-long-ago" })}`,
  );
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You cancelled the sign-in");
});

test.describe("names the real cause of the provider's other errors", () => {
  for (const [error, heading] of [
    ["temporarily_unavailable", "The identity provider could not sign you in just now"],
    ["server_error", "The identity provider could not sign you in just now"],
    ["login_required", "The identity provider needs you to sign in again"],
    ["unauthorized_client", "The identity provider refused this app's sign-in request"],
    ["invalid_scope", "The identity provider refused this app's sign-in request"],
  ] as const) {
    test(error, async ({ page, stack }) => {
      await page.goto(`${stack.app.url}/auth/demo/callback?${new URLSearchParams({ error, state: "s" })}`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    });
  }

  test("an unknown code, or none, keeps the app's own words", async ({ page, stack }) => {
    await page.goto(`${stack.app.url}/auth/demo/callback?${new URLSearchParams({ error: "toString", state: "s" })}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("This sign-in attempt has expired");
    await page.goto(`${stack.app.url}/auth/demo/callback?code=abc`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("This sign-in attempt has expired");
  });
});
