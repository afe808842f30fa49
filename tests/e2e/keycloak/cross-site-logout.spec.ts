// Issue 23.3 on real Keycloak: a page on another site sending a signed-in
// browser to the Retry route, for a realm where Keycloak has no session to
// confirm (it would send the browser straight back with the state), must not
// end the app session nor clear the site's cookies.
import { startAttackerSite } from "../app-pages";
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
  const attacker = await startAttackerSite(`${app}/auth/acme/logout`);
  try {
    await page.goto(attacker.url);
    await page.getByRole("link", { name: "Claim your prize" }).click();
    await expect(page).toHaveURL(`${app}/`);
    await expect(page.getByTestId("username")).toHaveText("demo");
  } finally {
    await attacker.close();
  }
  expect(keycloakRequests).toEqual([]);
  expect((await page.context().cookies()).map((cookie) => cookie.name).sort()).toEqual(cookiesBefore);
  expect(await demoSessions()).toEqual(signedIn);
  await page.goto(`${app}/account`);
  await expect(page.getByTestId("account-username")).toHaveText("demo");
});
