import { decodeJwt } from "jose";
import { expect, expectSignedOut, isIdpLogout, test } from "./fixtures";

test("logs in through the IdP, then logs out of the app and of the IdP", async ({ page, stack, signIn }) => {
  const app = stack.app.url;

  await page.goto(`${app}/account`);
  await expect(page).toHaveURL((url) => url.toString().startsWith(`${stack.idp.url}/realms/demo/`));
  await signIn("demo");

  await expect(page).toHaveURL(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
  await expect(page.getByRole("cell", { name: "preferred_username" })).toBeVisible();

  stack.idp.clearRequests();
  const idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  await idpLogout;
  await page.waitForURL(`${app}/`);
  await expectSignedOut(page);

  const received = stack.idp.requests.find((request) => isIdpLogout(stack)(`${stack.idp.url}${request.path}`));
  expect(received?.query).toMatchObject({ client_id: "remix-app", post_logout_redirect_uri: `${app}/` });
  expect(received?.query).not.toHaveProperty("redirect_uri");
  expect(decodeJwt(received!.query.id_token_hint!)).toMatchObject({ preferred_username: "demo", aud: "remix-app" });

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
  const cookies = await page.context().cookies(app);
  const session = cookies.filter((cookie) => /^__session(\.\d+)?$/.test(cookie.name));
  expect(session.length).toBeGreaterThan(1);
  for (const cookie of session) expect(cookie.name.length + cookie.value.length).toBeLessThanOrEqual(4096);

  await page.goto(`${app}/account`);
  await expect(page.getByRole("cell", { name: "groups" })).toBeVisible();
  await expect(page.getByText("department-60")).toBeVisible();

  const idpLogout = page.waitForRequest((request) => isIdpLogout(stack)(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  const token = new URL((await idpLogout).url()).searchParams.get("id_token_hint")!;
  expect(token.length).toBeGreaterThanOrEqual(6000);
  await page.waitForURL(`${app}/`);
  await expectSignedOut(page);
  expect((await page.context().cookies(app)).filter((cookie) => cookie.name.startsWith("__session"))).toEqual([]);
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
    // The IdP's logout page cannot submit itself without JavaScript: the user presses its button.
    if (isIdpLogout(stack)(page.url())) await page.getByRole("button").first().click();
    await page.waitForURL(`${app}/`);
    await expectSignedOut(page);
  });
});
