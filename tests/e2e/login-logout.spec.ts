import { decodeJwt } from "jose";
import { expect, expectLoggedOutPage, isIdpLogout, sentEndSessionParams, test } from "./fixtures";
import { test as errorPageTest } from "./page-checks";

test("logs in through the IdP, then logs out of the app and of the IdP", async ({ page, stack, signIn }) => {
  const app = stack.app.url;

  await page.goto(`${app}/account`);
  await expect(page).toHaveURL((url) => url.toString().startsWith(`${stack.idp.url}/realms/demo/`));
  await signIn("demo");

  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
  await expect(page.getByRole("cell", { name: "preferred_username" })).toBeVisible();

  // The host app's own cookie, which is not the module's to delete (Clear-Site-Data took it until issue 26).
  await page.context().addCookies([{ name: "host_app_choice", value: "keep-me", url: app }]);
  stack.idp.clearRequests();
  const idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  const sent = sentEndSessionParams(await idpLogout);
  await expectLoggedOutPage(page, app);
  const cookies = (await page.context().cookies(app)).map((cookie) => cookie.name);
  expect(cookies).toContain("host_app_choice");
  expect(cookies).not.toContain("__session");

  expect(sent).toMatchObject({ client_id: "remix-app", post_logout_redirect_uri: `${app}/logout/callback` });
  expect(sent).not.toHaveProperty("redirect_uri");
  expect(decodeJwt(sent.id_token_hint!)).toMatchObject({ preferred_username: "demo", aud: "remix-app" });
  expect(page.url()).toBe(`${app}/logout/callback?state=${sent.state}`);

  // The IdP session ended too: a protected page asks for the password again.
  await page.goto(`${app}/account`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
});

test("works with a 6 KB id_token carrying 60 groups", async ({ page, stack, signIn }) => {
  const app = stack.app.url;
  await page.goto(`${app}/login`);
  await signIn("big");

  await expect(page).toHaveURL(`${app}/`);
  await expect(page.getByTestId("username")).toHaveText("big");
  // One provider: nothing to tell apart, for big as for demo (issue 28.8: it said "big (demo)", and "demo" alone).
  await expect(page.getByRole("navigation", { name: "Account" }).locator(".signed-in")).toHaveText("Signed in as big");
  const cookies = await page.context().cookies(app);
  const session = cookies.filter((cookie) => /^__session(\.\d+)?$/.test(cookie.name));
  expect(session.length).toBeGreaterThan(0);
  for (const cookie of session) expect(cookie.name.length + cookie.value.length).toBeLessThanOrEqual(4096);

  await page.goto(`${app}/account`);
  await expect(page.getByRole("cell", { name: "groups" })).toBeVisible();
  await expect(page.getByText("60 values")).toBeVisible();
  await page.getByText("55 more").click();
  await expect(page.getByText("department-60")).toBeVisible();

  stack.idp.clearRequests();
  const idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  const logoutRequest = await idpLogout;
  // Redirect is the default, and a 7 KB hint keeps the request line under 8,000 bytes, which Keycloak (32 KB)
  // and a default nginx in front of it (8 KB) accept; a longer one goes as a form POST (logout-modes.test.ts).
  expect(logoutRequest.method()).toBe("GET");
  const token = sentEndSessionParams(logoutRequest).id_token_hint!;
  expect(token.length).toBeGreaterThanOrEqual(6000);
  await expectLoggedOutPage(page, app);
  expect((await page.context().cookies(app)).filter((cookie) => cookie.name.startsWith("__session"))).toEqual([]);
});

// The page-checks `test`: the invalid link page's own 400 status is an expected console line.
errorPageTest(
  "after a logout, the page reloaded or a stale logout link says the user is signed out, changing nothing; signed in again, the link is refused",
  async ({ page, stack, signIn }) => {
    const app = stack.app.url;
    await page.goto(`${app}/login`);
    await signIn("demo");
    await page.getByRole("button", { name: "Log out" }).click();
    await expectLoggedOutPage(page, app);
    const callback = page.url();

    for (const visit of [() => page.reload(), () => page.goto(`${app}/logout/callback?state=stale`)]) {
      const before = stack.app.output().length;
      const answer = await visit();
      expect(answer!.status()).toBe(200);
      expect(await answer!.headerValue("clear-site-data")).toBeNull();
      await expect(page.getByRole("heading", { name: "You are signed out" })).toBeVisible();
      await expect(page.getByText("This logout link is not valid")).toHaveCount(0);
      await expect(page.getByRole("link", { name: "Log in again" })).toBeVisible();
      await expect.poll(() => stack.app.output().slice(before)).toContain('"outcome":"state_check_failed"');
    }

    await page.goto(`${app}/login`);
    await signIn("demo");
    await page.goto(callback);
    await expect(page.getByRole("heading", { name: "This logout link is not valid" })).toBeVisible();
    await expect(page.getByTestId("username")).toHaveText("demo");
  },
);

test("logs out also when /logout is submitted by fetch (a Remix form without reloadDocument)", async ({
  page,
  stack,
  logIn,
}) => {
  const app = stack.app.url;
  await logIn();
  await page.waitForFunction(() => "__remixRouter" in window); // hydrated
  const idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.evaluate(() => {
    const router = (window as unknown as { __remixRouter: { navigate(to: string, options: object): void } })
      .__remixRouter;
    router.navigate("/logout", { formMethod: "post", formData: new FormData() });
  });
  expect((await idpLogout).method()).toBe("GET");
  await expectLoggedOutPage(page, app);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("logs in and out", async ({ page, stack, signIn }) => {
    const app = stack.app.url;
    await page.goto(app);
    await page.getByRole("link", { name: "Log in" }).first().click();
    await signIn("demo");
    await expect(page).toHaveURL(`${app}/`);
    await expect(page.getByTestId("username")).toHaveText("demo");

    await page.getByRole("button", { name: "Log out" }).click();
    // The app redirects; without JavaScript the IdP's page does not submit itself: the user presses "Continue".
    await page.waitForURL((url) => isIdpLogout(stack)(url.href));
    await page.getByRole("button", { name: "Continue" }).click();
    await expectLoggedOutPage(page, app);
  });
});
