// Issue 23.3 on real Keycloak: a page on another site sending a signed-in
// browser to the Retry route, for a realm where Keycloak has no session to
// confirm (it would send the browser straight back with the state), must not
// end the app session nor clear the site's cookies.
import { followLinkFromAnotherSite } from "../app-pages";
import { expect, test } from "./fixtures";

test.use({ stackOptions: { realms: ["demo", "acme"] } });

test("a page on another site sending the browser to /auth/acme/logout logs no one out, at the app or at Keycloak", async ({
  page,
  stack,
  signIn,
}) => {
  const app = stack.app.url;
  const demoSessions = async () => (await stack.admin.sessions("demo", "demo")).map((session) => session.id);
  const before = await demoSessions();
  await page.goto(`${app}/auth/demo/login`);
  await signIn("demo");
  await expect(page.getByTestId("username")).toHaveText("demo");
  const signedIn = await demoSessions();
  expect(signedIn.length).toBe(before.length + 1);
  const cookiesBefore = (await page.context().cookies()).map((cookie) => cookie.name).sort();

  const keycloakRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().startsWith(stack.idp.url)) keycloakRequests.push(request.url());
  });
  await followLinkFromAnotherSite(page, `${app}/auth/acme/logout`);
  await expect(page).toHaveURL(`${app}/`);
  await expect(page.getByTestId("username")).toHaveText("demo");
  expect(keycloakRequests).toEqual([]);
  expect((await page.context().cookies()).map((cookie) => cookie.name).sort()).toEqual(cookiesBefore);
  expect(await demoSessions()).toEqual(signedIn);
  await page.goto(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
});
