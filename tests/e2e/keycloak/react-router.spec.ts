// The React Router 7 app of tests/react-router-app against real Keycloak: the same auth module as the Remix
// app, behind React Router's adapter. Keycloak's own admin API shows its session ended at logout.
import { decodeJwt } from "jose";
import { REACT_ROUTER_APP } from "../../support/app";
import { expect, expectLoggedOutPage, isKeycloakLogout, test } from "./fixtures";

test.use({ stackOptions: { app: REACT_ROUTER_APP } });

test("logs in at Keycloak, shows the account and logs out of Keycloak too, under React Router 7", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await expect(page).toHaveURL((url) => url.href.startsWith(`${stack.idp.issuer("demo")}/`));
  await signIn("demo");
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");

  const keycloakLogout = page.waitForRequest((request) => isKeycloakLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  const request = await keycloakLogout;
  const sent = Object.fromEntries(new URLSearchParams(request.postData() ?? new URL(request.url()).search));
  const { sid } = decodeJwt(sent.id_token_hint!);
  await expectLoggedOutPage(page, app);
  expect((await stack.admin.sessions("demo", "demo")).map((session) => session.id)).not.toContain(sid);

  // The next login asks for the password again.
  await page.goto(`${app}/account`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
});
