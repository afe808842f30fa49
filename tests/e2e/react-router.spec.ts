// The React Router 7 app of tests/react-router-app: the same auth module as the Remix app, imported in place,
// behind React Router's adapter. Login, the account page, and a logout that ends the IdP's session too.
import { REACT_ROUTER_APP } from "../support/app";
import { expect, expectLoggedOutPage, isIdpLogout, sentEndSessionParams, test } from "./fixtures";

test.use({ stackOptions: { app: REACT_ROUTER_APP } });

test("logs in, shows the account and logs out of the app and of the IdP, under React Router 7", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  await page.goto(`${app}/account`);
  await expect(page).toHaveURL((url) => url.toString().startsWith(`${stack.idp.url}/realms/demo/`));
  await signIn("demo");
  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
  await expect(page.getByTestId("username")).toHaveText("demo");

  const idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  const sent = sentEndSessionParams(await idpLogout);
  expect(sent).toMatchObject({ client_id: "remix-app", post_logout_redirect_uri: `${app}/logout/callback` });
  await expectLoggedOutPage(page, app);

  // The IdP session ended too: the next login asks for the password again.
  await page.goto(`${app}/account`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await signIn("demo");
  await expect(page.getByTestId("account-username")).toHaveText("demo");
});
