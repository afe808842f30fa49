import { followLinkFromAnotherSite } from "./app-pages";
import { expect, expectLoggedOutPage, expectSignedOut, isIdpLogout } from "./fixtures";
import { saveScreenshot, SCHEMES, test } from "./page-checks";
import type { StackOptions } from "../support/stack";

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

test("shows that the click was taken while the provider is slow to answer (issue 28.7)", async ({
  page,
  stack,
  logIn,
}) => {
  const app = stack.app.url;
  await logIn();
  // Every answer of the provider now takes a second, the check before the redirect to it included.
  stack.idp.faults.delayMs = 1_000;
  // Watched from the page itself: while a navigation is under way, Playwright's own reads wait for it.
  const seen: string[] = [];
  const logoutPosts: string[] = [];
  try {
    await page.exposeFunction("logoutButtonChanged", (state: string) => seen.push(state));
    await page.evaluate(() => {
      const button = document.querySelector<HTMLButtonElement>("form[action='/logout'] button")!;
      const report = (window as unknown as { logoutButtonChanged: (state: string) => void }).logoutButtonChanged;
      new MutationObserver(() => {
        report(`${button.textContent} aria-disabled=${button.getAttribute("aria-disabled")}`);
        // A second click while it is pending, in a task of its own once the POST is under way (the provider's
        // delay holds it), starts nothing more.
        if (button.textContent === "Logging out…")
          setTimeout(() => {
            report("clicked again");
            button.click();
          }, 300);
      }).observe(button, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/logout") logoutPosts.push(request.url());
    });
    await page.getByRole("button", { name: "Log out" }).click();
    await expectLoggedOutPage(page, app);
  } finally {
    stack.idp.faults.delayMs = 0;
  }
  expect(seen).toContain("Logging out… aria-disabled=true");
  expect(seen).toContain("clicked again");
  expect(logoutPosts).toHaveLength(1);
});

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
    await followLinkFromAnotherSite(page, target);
    await expect(page).toHaveURL(target);
    await expect(page.getByRole("heading", { name: "This logout link is not valid" })).toBeVisible();
    await expect(page.getByTestId("username")).toHaveText("demo");
  }
  const names = (await page.context().cookies(app)).map((cookie) => cookie.name);
  expect(names).toContain("__session");
  expect(names).toContain("other_app");
  await page.goto(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
});

test("the Log out button on a refused logout link's page logs out, through the provider", async ({
  page,
  stack,
  logIn,
}) => {
  const app = stack.app.url;
  await logIn();
  await followLinkFromAnotherSite(page, `${app}/logout/callback?state=forged`);
  await expect(page.getByRole("heading", { name: "This logout link is not valid" })).toBeVisible();
  const idpRequests = stack.idp.requests.length;
  // The page's own policy must let its form's redirect go on to the provider (`form-action` governs it too).
  await page.getByRole("button", { name: "Log out" }).click();
  await expectLoggedOutPage(page, app);
  const idpLogouts = stack.idp.requests
    .slice(idpRequests)
    .filter((request) => request.path === "/realms/demo/protocol/openid-connect/logout");
  expect(idpLogouts[0]?.query.id_token_hint).toBeTruthy();
});

for (const lure of ["link", "form"] as const) {
  test(`a ${lure} on another site to the Retry route starts no logout (issue 23.3)`, async ({ page, stack, logIn }) => {
    const app = stack.app.url;
    await logIn();
    const idpRequests = stack.idp.requests.length;
    await followLinkFromAnotherSite(page, `${app}/auth/demo/logout`, { post: lure === "form" });
    // A link (GET) is sent home; a form (a cross-site POST) is refused.
    if (lure === "link") await expect(page).toHaveURL(`${app}/`);
    else await expect(page.getByText("Cross-site logout refused")).toBeVisible();
    const idpLogouts = stack.idp.requests
      .slice(idpRequests)
      .filter((request) => request.path.endsWith("/protocol/openid-connect/logout"));
    expect(idpLogouts).toEqual([]);
    expect((await page.context().cookies(app)).map((cookie) => cookie.name)).not.toContain("oidc-logout-state");
    await page.goto(`${app}/account`);
    await expect(page.getByTestId("account-username")).toHaveText("demo");
  });
}

test("Log out works from the app's /auth/* pages, which send no referrer (Chromium's Origin: null, issue 23.3)", async ({
  page,
  stack,
  logIn,
}) => {
  const app = stack.app.url;
  await logIn();
  await page.goto(`${app}/auth/demo/callback?code=unknown&state=unknown`);
  await expect(page.getByRole("heading", { name: "This sign-in attempt has expired" })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expectLoggedOutPage(page, app);
});

// Each step below follows the IdP's last answer by moments: only a probe before every login and logout (window 0)
// notices it went down in between. With the default window: tests/integration/app/provider-contact.test.ts.
const probingTest = test.extend<object, { stackOptions: StackOptions }>({
  stackOptions: [{ env: { IDP_CONTACT_WINDOW_MS: "0" } }, { scope: "worker" }],
});

test.describe("when the IdP is down but the app has its discovery cached", () => {
  probingTest.afterEach(({ stack }) => {
    stack.idp.faults.down = false;
  });

  probingTest("Log in ends on the app's own page, not the browser's error page", async ({ page, stack, signIn }) => {
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

  probingTest(
    "Log out ends the app session on the app's own page, and Retry ends the IdP's once it is back",
    async ({ page, stack, logIn }) => {
      const app = stack.app.url;
      await logIn();

      stack.idp.faults.down = true;
      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page.getByRole("heading", { name: "You are logged out of this app" })).toBeVisible();
      await expect(
        page.getByText("Your session in this app has ended; your session at demo may still be open"),
      ).toBeVisible();
      await expectSignedOut(page);
      await page.getByRole("button", { name: "Retry" }).click();
      await expect(
        page.getByText("Your session in this app has ended; your session at demo may still be open"),
      ).toBeVisible();

      stack.idp.faults.down = false;
      await page.getByRole("button", { name: "Retry" }).click();
      // Without the session's id_token the IdP asks before ending its session.
      await page.waitForURL((url) => isIdpLogout(stack)(url.href));
      await page.getByRole("button", { name: "Logout" }).click();
      await expectLoggedOutPage(page, app);
      await page.goto(`${app}/account`);
      await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
    },
  );
});
