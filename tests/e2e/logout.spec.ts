import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, expectLoggedOutPage, expectSignedOut, isIdpLogout } from "./fixtures";
import { saveScreenshot, SCHEMES, test } from "./page-checks";

test("after a logout, shows the page only a completed logout has, in both schemes", async ({
  page,
  stack,
  logIn,
}, testInfo) => {
  const app = stack.app.url;
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await logIn();
    await page.getByRole("button", { name: "Log out" }).click();
    await expectLoggedOutPage(page, app);
    // Not the pages it used to be confused with.
    await expect(page.getByText("No one is signed in to this app in this browser")).toHaveCount(0);
    await expect(page.getByText("You are signed in as")).toHaveCount(0);
    await saveScreenshot(page, testInfo, `logged-out-${scheme}`, 360);
  }
});

/** A page on another site (127.0.0.1 is not the app's localhost) linking to the app's logout callback. */
async function startAttackerSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end(`<!DOCTYPE html><title>Win a prize</title><a href="${target}">Claim your prize</a>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test("a page on another site sending the browser to /logout/callback logs no one out and clears no cookie (issue 14.1)", async ({
  page,
  stack,
  logIn,
}) => {
  const app = stack.app.url;
  await logIn();
  // Another app on the same host has its own cookie.
  await page.context().addCookies([{ name: "other_app", value: "keep-me", domain: "localhost", path: "/" }]);

  for (const target of [`${app}/logout/callback`, `${app}/logout/callback?state=forged`]) {
    const attacker = await startAttackerSite(target);
    try {
      await page.goto(attacker.url);
      await page.getByRole("link", { name: "Claim your prize" }).click();
      await page.waitForURL(target);
      await expect(page.getByRole("heading", { name: "This logout link is not valid" })).toBeVisible();
      await expect(page.getByTestId("username")).toHaveText("demo");
    } finally {
      await attacker.close();
    }
  }
  const names = (await page.context().cookies(app)).map((cookie) => cookie.name);
  expect(names).toContain("__session");
  expect(names).toContain("other_app");
  await page.goto(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
});

test.describe("when the IdP is down but the app has its discovery cached", () => {
  test.afterEach(({ stack }) => {
    stack.idp.faults.down = false;
  });

  test("Log in ends on the app's own page, not the browser's error page", async ({ page, stack, signIn }) => {
    const app = stack.app.url;
    await page.goto(`${app}/login`);
    await signIn("demo"); // discovery is cached from here on
    await page.getByRole("button", { name: "Log out" }).click();
    await expectLoggedOutPage(page, app);

    stack.idp.faults.down = true;
    await page.getByRole("link", { name: "Log in again" }).click();
    await expect(page.getByRole("heading", { name: "The identity provider is unreachable" })).toBeVisible();
    expect(page.url().startsWith(app)).toBe(true);
    await page.getByRole("link", { name: "Try again" }).click();
    await expect(page.getByRole("heading", { name: "The identity provider is unreachable" })).toBeVisible();

    stack.idp.faults.down = false;
    await page.getByRole("link", { name: "Try again" }).click();
    await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  });

  test("Log out ends the app session on the app's own page, and Retry ends the IdP's once it is back", async ({
    page,
    stack,
    logIn,
  }) => {
    const app = stack.app.url;
    await logIn();

    stack.idp.faults.down = true;
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByRole("heading", { name: "You are logged out of this app" })).toBeVisible();
    await expect(
      page.getByText("Your session in this app has ended; your session at demo may still be open"),
    ).toBeVisible();
    await expectSignedOut(page);
    await page.getByRole("link", { name: "Retry" }).click();
    await expect(
      page.getByText("Your session in this app has ended; your session at demo may still be open"),
    ).toBeVisible();

    stack.idp.faults.down = false;
    await page.getByRole("link", { name: "Retry" }).click();
    // Without the session's id_token the IdP asks before ending its session.
    await page.waitForURL((url) => isIdpLogout(stack)(url.href));
    await page.getByRole("button", { name: "Logout" }).click();
    await expectLoggedOutPage(page, app);
    await page.goto(`${app}/account`);
    await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  });
});
