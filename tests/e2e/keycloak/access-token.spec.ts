// What a user sees of the access token against real Keycloak: a session ended
// at Keycloak sends the browser to Keycloak's login form at the next API call,
// and /admin answers by the roles in Keycloak's access token. A realm of its own
// (tests/support/keycloak-tokens-realm.ts), made before the app starts.
import { failingOnConsoleErrors } from "../app-pages";
import { expect, test as base } from "./fixtures";
import { KeycloakAdmin, keycloakUrl } from "../../support/keycloak";
import { createTokensRealm, READER, withoutBackchannelLogout } from "../../support/keycloak-tokens-realm";

const REALM = "tokens-browser";

const test = base.extend({
  // Chromium logs the 403 page's own status as a console error: on that page, it is the point.
  failOnConsoleErrors: async ({ page, stack }, use) => {
    const refused = new Set<string>();
    page.on("response", (response) => {
      if (response.request().isNavigationRequest() && response.status() === 403) refused.add(response.url());
    });
    await failingOnConsoleErrors(page, use, () => page.url().startsWith(stack.app.url) && !refused.has(page.url()));
  },
});

test.use({ stackOptions: { realms: [REALM] } });

// Before the first test asks for the stack (the app and its client pointed at it).
test.beforeAll(async () => {
  await createTokensRealm(new KeycloakAdmin(keycloakUrl()), REALM);
});

test("a user logged out by Keycloak's admin API meets Keycloak's login form at the next API call, and comes back", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  await withoutBackchannelLogout(stack.admin, REALM);
  await page.goto(`${app}/account`);
  await signIn("demo");
  await expect(page.getByTestId("api-facts")).toContainText("demo@example.com");

  await stack.admin.request("POST", `/${REALM}/users/${await stack.admin.userId(REALM, "demo")}/logout`);
  await page.reload();
  await expect(page).toHaveURL((url) => url.href.startsWith(`${stack.idp.issuer(REALM)}/protocol/openid-connect/auth`));
  await signIn("demo");
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("api-facts")).toContainText("demo@example.com");
  expect(stack.app.output()).toMatch(
    new RegExp(`"event":"token_refresh","realm":"${REALM}","sub":"[^"]+","outcome":"session_ended"`),
  );
});

test("/admin shows its 403 page to a user without Keycloak's realm role admin, and admits one with it", async ({
  browser,
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await signIn(READER.username);
  await expect(page.getByTestId("roles")).toContainText("account:view-profile");
  await expect(page.getByTestId("roles")).not.toContainText("admin");
  const refused = await page.goto(`${app}/admin`);
  expect(refused?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You do not have access to this page");
  await expect(page.getByTestId("username")).toHaveText(READER.username);

  const other = await browser.newContext();
  const demo = await other.newPage();
  await demo.goto(`${app}/admin`);
  await demo.locator("#username").fill("demo");
  await demo.locator("#password").fill("demo");
  await demo.locator("#kc-login").click();
  await expect(demo).toHaveURL(`${app}/admin`);
  await expect(demo.getByRole("heading", { level: 1 })).toHaveText("Administration");
  await expect(demo.getByTestId("editor")).toContainText("You also have this app's client role editor");
  await demo.goto(`${app}/account`);
  await expect(demo.getByTestId("roles").getByRole("listitem")).toContainText(["admin", "app:editor"]);
  await other.close();
});
