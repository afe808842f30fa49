// Two Keycloak realms side by side in one browser: each keeps its own SSO
// session at Keycloak, and logout goes to the realm of the app's session.
import { REALM_CLIENTS } from "../../support/keycloak";
import { expect, expectLoggedOutPage, isKeycloakLogout, test } from "./fixtures";

test.use({ stackOptions: { realms: ["demo", "acme"] } });

test("signed in at demo and acme in one browser, logging out of acme leaves demo's Keycloak session alone", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  const sessions = async (realm: string) => (await stack.admin.sessions(realm, "demo")).length;
  const before = { demo: await sessions("demo"), acme: await sessions("acme") };

  await page.goto(`${app}/login`);
  await page.getByRole("link", { name: "demo" }).click();
  await expect(page).toHaveURL((url) => url.href.startsWith(`${stack.idp.issuer("demo")}/`));
  await signIn("demo");
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText("Signed in as demo (demo)");

  // The other realm asks for the password again: realms share nothing at Keycloak.
  await page.goto(`${app}/auth/acme/login`);
  await expect(page).toHaveURL((url) => url.href.startsWith(`${stack.idp.issuer("acme")}/`));
  await signIn("demo");
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText("Signed in as demo (acme)");
  expect(await sessions("demo")).toBe(before.demo + 1);
  expect(await sessions("acme")).toBe(before.acme + 1);

  const acmeLogout = page.waitForRequest((request) => isKeycloakLogout(stack, "acme")(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  const sent = await acmeLogout;
  expect(new URLSearchParams(sent.postData() ?? new URL(sent.url()).search).get("client_id")).toBe(
    REALM_CLIENTS.acme!.clientId,
  );
  await expectLoggedOutPage(page, app);
  expect(await sessions("acme")).toBe(before.acme);
  expect(await sessions("demo")).toBe(before.demo + 1);

  // demo's Keycloak session is still there: single sign-on without the password.
  await page.goto(`${app}/auth/demo/login`);
  await expect(page.getByRole("navigation", { name: "Account" })).toContainText("Signed in as demo (demo)");
  await page.getByRole("button", { name: "Log out" }).click();
  await expectLoggedOutPage(page, app);
  expect(await sessions("demo")).toBe(before.demo);
});
