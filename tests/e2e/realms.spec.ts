import { expect, expectLoggedOutPage, isIdpLogout, sentEndSessionParams, test } from "./fixtures";

test.use({
  stackOptions: {
    realms: ["demo", "acme"],
    oidcProviders: [{ name: "partner", label: "Partner SSO", endSession: false }],
  },
});

test("logs in and out of realm acme, then of the default realm, in one browser", async ({ page, stack, signIn }) => {
  const app = stack.app.url;
  await page.goto(app);
  await page.getByRole("link", { name: "Log in" }).first().click();
  await page.getByRole("link", { name: "acme" }).click();
  await expect(page).toHaveURL((url) => url.toString().startsWith(`${stack.idp.url}/realms/acme/`));
  await signIn("demo");

  await expect(page).toHaveURL(`${app}/`);
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText("Signed in as demo (acme)");

  stack.idp.clearRequests();
  const acmeLogout = page.waitForRequest((request) => isIdpLogout(stack, "acme")(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  expect(sentEndSessionParams(await acmeLogout).id_token_hint).toBeTruthy();
  await expectLoggedOutPage(page, app);
  const logouts = stack.idp.requests.filter((request) => request.path.endsWith("/protocol/openid-connect/logout"));
  expect(logouts.map((request) => request.realm)).toEqual(["acme"]);

  await page.goto(`${app}/login`);
  await page.getByRole("link", { name: "demo" }).click();
  await signIn("demo");
  // With several providers the header always names the user's (issue 28.8: it left it out only when the label
  // happened to be the username, so "big (demo)" but "demo" alone), even when that reads "demo (demo)".
  await expect(page.getByRole("navigation", { name: "Account" }).locator(".signed-in")).toHaveText(
    "Signed in as demo (demo)",
  );
  const demoLogout = page.waitForRequest((request) => isIdpLogout(stack, "demo")(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  await demoLogout;
  await expectLoggedOutPage(page, app);
});

test("logs in through a generic provider, and says its logout is local only", async ({ page, stack, signIn }) => {
  const app = stack.app.url;
  await page.goto(`${app}/login`);
  await page.getByRole("link", { name: "Partner SSO" }).click();
  await expect(page).toHaveURL((url) => url.toString().startsWith(`${stack.idp.url}/realms/partner/`));
  await signIn("demo");
  // The provider's label, not its configuration name.
  await expect(page.getByRole("navigation", { name: "Account" }).locator(".signed-in")).toHaveText(
    "Signed in as demo (Partner SSO)",
  );

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByText("Your identity provider, Partner SSO, does not offer single logout")).toBeVisible();
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
});
