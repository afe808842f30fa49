import { expect, expectSignedOut, test } from "./fixtures";

test("notices a logout done at the IdP directly, on the next request", async ({ page, stack, signIn }) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page.getByTestId("account-username")).toHaveText("demo");

  // The user logs out in the IdP's own account pages (here: its logout endpoint, which asks first).
  await page.goto(`${stack.idp.issuer("demo")}/protocol/openid-connect/logout`);
  await expect(page.getByText("Do you want to log out?")).toBeVisible();
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page.getByText("You are logged out")).toBeVisible();
  await expect.poll(() => stack.idp.backchannelDeliveries.at(-1)?.status).toBe(200);

  await page.goto(app);
  await expectSignedOut(page);
  expect((await page.context().cookies(app)).filter((cookie) => cookie.name.startsWith("__session"))).toEqual([]);
  await page.goto(`${app}/account`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
});
