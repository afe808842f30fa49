// Step-up on real Keycloak: /admin asks for a login within STEP_UP_MAX_AGE (10 s here). Past it, the app sends
// the browser to Keycloak with max_age, and Keycloak asks for the password again although its SSO session is
// alive; then /admin opens. An old callback replayed afterwards changes nothing.
import { failingOnConsoleErrors } from "../app-pages";
import { expect, test as base } from "./fixtures";

const test = base.extend({
  // Chromium logs the replayed callback's 400 as a console error: on that page, it is the point.
  failOnConsoleErrors: async ({ page, stack }, use) => {
    const app = stack.app.url;
    await failingOnConsoleErrors(page, use, () => page.url().startsWith(app) && !page.url().startsWith(`${app}/auth/`));
  },
});

const MAX_AGE = 10;
test.use({ stackOptions: { env: { STEP_UP_MAX_AGE: String(MAX_AGE) } } });

const signedInAt = async (page: import("@playwright/test").Page) =>
  Date.parse((await page.getByTestId("recent-login").locator("time").getAttribute("datetime"))!);

test("an old session reaching /admin is asked for the password again by Keycloak, then admitted", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  const callbacks: string[] = [];
  page.on(
    "request",
    (request) => request.url().startsWith(`${app}/auth/demo/callback?`) && callbacks.push(request.url()),
  );
  const sessionIds = async () => (await stack.admin.sessions("demo", "demo")).map(({ id }) => id);
  const earlier = await sessionIds();
  await page.goto(`${app}/admin`);
  await signIn("demo");
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  const first = await signedInAt(page);
  const ours = (await sessionIds()).filter((id) => !earlier.includes(id));
  expect(ours).toHaveLength(1);

  // Time passes: the login is now older than max_age.
  await page.waitForTimeout(Math.max(0, first + (MAX_AGE + 1) * 1000 - Date.now()));
  const authorize = page.waitForRequest((request) => request.url().includes("/protocol/openid-connect/auth?"));
  await page.goto(`${app}/admin`);
  expect(new URL((await authorize).url()).searchParams.get("max_age")).toBe(String(MAX_AGE));
  // Keycloak's SSO session is alive, yet it asks for the password.
  await expect(page.locator("#password")).toBeVisible();
  expect(await sessionIds()).toContain(ours[0]);
  if (await page.locator("#username").isVisible()) await page.locator("#username").fill("demo");
  await page.locator("#password").fill("demo");
  await page.locator("#kc-login").click();
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  await expect(page).toHaveURL(`${app}/admin`);
  const second = await signedInAt(page);
  expect(second).toBeGreaterThan(first);

  // The first login's callback, replayed: refused, and the session is the step-up's.
  await page.goto(callbacks[0]!);
  await expect(page.getByRole("heading", { name: "This sign-in attempt has expired" })).toBeVisible();
  await page.goto(`${app}/admin`);
  expect(await signedInAt(page)).toBe(second);
});
