// Keycloak 26.5's per-client "Logout confirmation" (client attribute logout.confirmation.enabled), on real
// Keycloak: the logout still ends Keycloak's session at once, but instead of sending the browser back to the
// app, Keycloak shows its own "You are logged out" page with a "Back to Application" link to the app's
// post-logout URI, state included. The app's session ended before the browser left; following the link
// ends on the app's signed-out page, and not following it leaves nobody signed in. A realm of its own.
import { expect, expectLoggedOutPage, isKeycloakLogout, test } from "./fixtures";
import { createRealmFromFile, KeycloakAdmin, keycloakUrl } from "../../support/keycloak";

const REALM = "logout-confirmation";

test.use({ stackOptions: { realms: [REALM] } });

test.beforeAll(async () => {
  const admin = new KeycloakAdmin(keycloakUrl());
  await createRealmFromFile(admin, REALM);
  await admin.updateClient(REALM, "remix-app", (client) => {
    client.attributes = { ...client.attributes, "logout.confirmation.enabled": "true" };
  });
});

test("logging out stops on Keycloak's own page; its link back ends on the app's signed-out page", async ({
  page,
  stack,
  signIn,
}) => {
  await page.goto(`${stack.app.url}/account`);
  await signIn("demo");
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  expect(await stack.admin.sessions(REALM, "demo")).toHaveLength(1);

  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((url) => isKeycloakLogout(stack, REALM)(url.href));
  await expect(page.locator("#kc-info-message")).toContainText("You are logged out");
  const back = page.getByRole("link", { name: /Back to Application/ });
  expect(await back.getAttribute("href")).toMatch(new RegExp(`^${stack.app.url}/logout/callback\\?state=`));
  // Keycloak's session ended before its page showed, and so had the app's: `/` asks Keycloak nothing.
  expect(await stack.admin.sessions(REALM, "demo")).toEqual([]);
  const other = await page.context().newPage();
  await other.goto(`${stack.app.url}/`);
  await expect(other.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  await other.close();

  await back.click();
  await expectLoggedOutPage(page, stack.app.url);
  await page.goto(`${stack.app.url}/account`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
});
