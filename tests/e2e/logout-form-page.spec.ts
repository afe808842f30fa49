import { expect, expectLoggedOutPage, isIdpLogout } from "./fixtures";
import { saveScreenshot, SCHEMES, test } from "./page-checks";

// Keycloak with KEYCLOAK_LOGOUT_METHOD=post: the app answers POST /logout with a page that posts on to Keycloak.
test.use({ stackOptions: { env: { KEYCLOAK_LOGOUT_METHOD: "post", KEYCLOAK_REALM_DEMO_LABEL: "Demo" } } });

const BACKGROUND = { light: "rgb(255, 255, 255)", dark: "rgb(17, 20, 24)" };

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  for (const scheme of SCHEMES) {
    test(`the end-session page looks like the app in the ${scheme} scheme, with a real button`, async ({
      page,
      stack,
      logIn,
    }, testInfo) => {
      const app = stack.app.url;
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: 360, height: 800 });
      await logIn();

      await page.getByRole("button", { name: "Log out" }).click();
      await expect(page.getByRole("heading", { name: "Logging out" })).toBeVisible();
      await expect(page.getByText("Ending your session at Demo.")).toBeVisible();
      // The app's stylesheet, in the browser's scheme: no white page in dark mode.
      await expect(page.locator("body")).toHaveCSS("background-color", BACKGROUND[scheme]);
      const button = page.getByRole("button", { name: "Continue" });
      await expect(button).toBeVisible();
      await expect(button).toHaveClass(/\bbutton\b/);
      await saveScreenshot(page, testInfo, `end-session-form-${scheme}`, 360);

      await button.click();
      await page.waitForURL((url) => isIdpLogout(stack)(url.href));
      await page.getByRole("button", { name: "Continue" }).click();
      await expectLoggedOutPage(page, app);
    });
  }
});

test("with JavaScript the page submits itself; a logout submitted by fetch is redirected instead", async ({
  page,
  stack,
  logIn,
}) => {
  const app = stack.app.url;
  await logIn();
  let idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  expect((await idpLogout).method()).toBe("POST");
  await expectLoggedOutPage(page, app);

  await logIn();
  await page.waitForFunction(() => "__remixRouter" in window); // hydrated
  idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.evaluate(() => {
    const router = (window as unknown as { __remixRouter: { navigate(to: string, options: object): void } })
      .__remixRouter;
    router.navigate("/logout", { formMethod: "post", formData: new FormData() });
  });
  // A fetch cannot show the form page: the app redirects, and the IdP ends the session all the same.
  expect((await idpLogout).method()).toBe("GET");
  await expectLoggedOutPage(page, app);
});
