// Account actions and registration against real Keycloak (issue 25.2): "Change password" on /account is an
// Application Initiated Action (kc_action=UPDATE_PASSWORD) that comes back with kc_action_status; "Create an
// account" on /login is prompt=create, offered because the realm has registration on. A realm of its own
// (registration is realm-wide, and a changed password must not reach other tests' users).
import type { Page } from "@playwright/test";
import { createRealmFromFile, KeycloakAdmin, keycloakUrl, realmFile } from "../../support/keycloak";
import { failingOnConsoleErrors } from "../app-pages";
import { expect, test as base } from "./fixtures";

const REALM = "account-actions";
/** Users of this realm only: their passwords change here. */
const USERS = ["changer", "canceller", "swapper", "other"];

const test = base.extend({
  // Chromium logs the 409 page's own status as a console error: on that page, it is the point.
  failOnConsoleErrors: async ({ page, stack }, use) => {
    const refused = new Set<string>();
    page.on("response", (response) => {
      if (response.request().isNavigationRequest() && response.status() === 409) refused.add(response.url());
    });
    await failingOnConsoleErrors(page, use, () => page.url().startsWith(stack.app.url) && !refused.has(page.url()));
  },
});

test.use({ stackOptions: { realms: [REALM] } });

test.beforeAll(async () => {
  await createRealmFromFile(new KeycloakAdmin(keycloakUrl()), REALM, {
    registrationAllowed: true,
    users: [
      ...(realmFile().users as unknown[]),
      ...USERS.map((username) => ({
        username,
        enabled: true,
        emailVerified: true,
        email: `${username}@example.com`,
        firstName: username,
        lastName: "User",
        credentials: [{ type: "password", value: username, temporary: false }],
      })),
    ],
  });
});

/** Signs in through the app's login route and lands on /account. */
async function signInToAccount(page: Page, app: string, username: string, password = username) {
  await page.goto(`${app}/auth/${REALM}/login?returnTo=/account`);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("#kc-login").click();
  await expect(page.getByTestId("account-username")).toHaveText(username);
}

/** Presses "Change password" and waits for Keycloak's form; resolves the authorization request the app sent. */
async function startChangePassword(page: Page, issuer: string) {
  const authorization = page.waitForRequest((request) =>
    request.url().startsWith(`${issuer}/protocol/openid-connect/auth`),
  );
  await page.getByRole("button", { name: "Change password" }).click();
  const sent = new URL((await authorization).url()).searchParams;
  await expect(page.getByRole("heading", { name: "Update password" })).toBeVisible();
  return sent;
}

const callbackOf = (page: Page, app: string) =>
  page.waitForRequest((request) => request.url().startsWith(`${app}/auth/${REALM}/callback?`));

test("Change password: Keycloak's form, back on /account still signed in, told it worked; the new password signs in", async ({
  page,
  stack,
}) => {
  const app = stack.app.url;
  await signInToAccount(page, app, "changer");
  const sent = await startChangePassword(page, stack.idp.issuer(REALM));
  expect(sent.get("kc_action")).toBe("UPDATE_PASSWORD");
  expect(sent.get("code_challenge_method")).toBe("S256");
  expect(sent.get("nonce")).toBeTruthy();

  const callback = callbackOf(page, app);
  await page.locator("#password-new").fill("changed-Pa55");
  await page.locator("#password-confirm").fill("changed-Pa55");
  await page.locator("#kc-submit").click();
  const back = new URL((await callback).url()).searchParams;
  expect(back.get("kc_action_status")).toBe("success");
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-action-outcome")).toHaveText("Your password has been changed.");
  await expect(page.getByTestId("account-username")).toHaveText("changer");
  // Shown once: a reload does not say it again.
  await page.reload();
  await expect(page.getByTestId("account-username")).toHaveText("changer");
  await expect(page.getByTestId("account-action-outcome")).toHaveCount(0);

  // Keycloak holds the new password: a fresh browser signs in with it.
  const fresh = await page.context().browser()!.newPage();
  await signInToAccount(fresh, app, "changer", "changed-Pa55");
  await fresh.close();
});

test("Cancel on Keycloak's form: a code comes back with kc_action_status=cancelled, the session goes on, told nothing changed", async ({
  page,
  stack,
}) => {
  const app = stack.app.url;
  await signInToAccount(page, app, "canceller");
  const cookiesBefore = await page.context().cookies(app);
  await startChangePassword(page, stack.idp.issuer(REALM));

  const callback = callbackOf(page, app);
  await page.locator("#kc-cancel").click();
  const back = new URL((await callback).url()).searchParams;
  // What Keycloak 26 sends on cancel (measured): a code, kc_action and kc_action_status=cancelled, no error.
  expect(back.get("kc_action")).toBe("UPDATE_PASSWORD");
  expect(back.get("kc_action_status")).toBe("cancelled");
  expect(back.get("code")).toBeTruthy();
  expect(back.has("error")).toBe(false);
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-action-outcome")).toHaveText(
    "You cancelled: your password has not been changed.",
  );
  await expect(page.getByTestId("account-username")).toHaveText("canceller");
  expect(cookiesBefore.some(({ name }) => name.startsWith("__session"))).toBe(true);

  // The old password still works.
  const fresh = await page.context().browser()!.newPage();
  await signInToAccount(fresh, app, "canceller");
  await fresh.close();
});

test("Another user coming back from the password form does not take over the session", async ({ page, stack }) => {
  const app = stack.app.url;
  await signInToAccount(page, app, "swapper");
  // Keycloak forgets the browser (its cookies only): it asks who is there before its password form.
  await page.context().clearCookies({ domain: new URL(stack.idp.url).hostname });
  await page.getByRole("button", { name: "Change password" }).click();
  await page.locator("#username").fill("other");
  await page.locator("#password").fill("other");
  await page.locator("#kc-login").click();
  await expect(page.getByRole("heading", { name: "Update password" })).toBeVisible();
  await page.locator("#kc-cancel").click();

  await expect(page.getByRole("heading", { name: "The identity provider answered for another account" })).toBeVisible();
  await page.getByRole("link", { name: "Back to your account" }).click();
  await expect(page.getByTestId("account-username")).toHaveText("swapper");
});

test("Create an account: /login offers it when Keycloak lists prompt=create; the new user ends up signed in", async ({
  page,
  stack,
}) => {
  const app = stack.app.url;
  const discovery = await (await fetch(`${stack.idp.issuer(REALM)}/.well-known/openid-configuration`)).json();
  expect(discovery.prompt_values_supported).toContain("create");

  await page.goto(`${app}/login?returnTo=/account`);
  const authorization = page.waitForRequest((request) =>
    request.url().startsWith(`${stack.idp.issuer(REALM)}/protocol/openid-connect/auth`),
  );
  await page.getByRole("link", { name: "Create an account" }).click();
  expect(new URL((await authorization).url()).searchParams.get("prompt")).toBe("create");
  await expect(page.getByRole("heading", { name: "Register" })).toBeVisible();

  const username = `newcomer-${Date.now()}`;
  await page.locator("#username").fill(username);
  await page.locator("#email").fill(`${username}@example.com`);
  await page.locator("#firstName").fill("New");
  await page.locator("#lastName").fill("Comer");
  await page.locator("#password").fill("newcomer-Pa55");
  await page.locator("#password-confirm").fill("newcomer-Pa55");
  await page.getByRole("button", { name: "Register" }).click();

  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText(username);
  expect(await stack.admin.userId(REALM, username)).toBeTruthy();
});
