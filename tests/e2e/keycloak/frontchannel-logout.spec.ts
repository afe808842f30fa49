// Front-channel logout on real Keycloak: the user logs out at Keycloak through another client; Keycloak's
// logout page frames the app's /auth/:realm/frontchannel-logout with iss and sid, across sites (the app on
// localhost, Keycloak on 127.0.0.1), so none of the app's SameSite=Lax cookies go with it. The app's session
// in another tab, and a copy of its cookie, are dead afterwards. A realm of its own (from realm-export.json,
// the front-channel URL as the file sets it), its client switched to front-channel as DEPLOY.md says.
import { chromium, type BrowserContext, type Page, type Response } from "@playwright/test";
import { expect, test } from "./fixtures";
import { createRealmFromFile, KeycloakAdmin, keycloakUrl, type KeycloakStack } from "../../support/keycloak";

const REALM = "frontchannel";
const OTHER_APP = "other-app";

test.use({ stackOptions: { realms: [REALM] } });

test.beforeAll(async () => {
  const admin = new KeycloakAdmin(keycloakUrl());
  await createRealmFromFile(admin, REALM);
  await admin.request("POST", `/${REALM}/clients`, {
    clientId: OTHER_APP,
    publicClient: true,
    standardFlowEnabled: true,
    redirectUris: ["http://127.0.0.1:9/*"],
  });
});

/** The app's client as DEPLOY.md has an admin set it for front-channel: the switch on, no back-channel URL. */
async function useFrontChannel(stack: KeycloakStack) {
  await stack.admin.updateClient(REALM, "remix-app", (client) => {
    client.frontchannelLogout = true;
    client.attributes = {
      ...client.attributes,
      "frontchannel.logout.url": `${stack.app.url}/auth/${REALM}/frontchannel-logout`,
      "frontchannel.logout.session.required": "true",
    };
    delete client.attributes["backchannel.logout.url"];
  });
}

/** Signs demo in at /account in a new tab; returns the tab and the app's cookies as a header, copied. */
async function signedInTab(context: BrowserContext, stack: KeycloakStack) {
  const page = await context.newPage();
  await page.goto(`${stack.app.url}/account`);
  await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
  await page.locator("#username").fill("demo");
  await page.locator("#password").fill("demo");
  await page.locator("#kc-login").click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  const copy = (await context.cookies(stack.app.url)).map(({ name, value }) => `${name}=${value}`).join("; ");
  return { page, copy };
}

/** In a second tab, the other client's logout at Keycloak, confirmed; returns the framed request's answer. */
async function logOutThroughOtherApp(context: BrowserContext, stack: KeycloakStack): Promise<Response> {
  const tab = await context.newPage();
  await tab.goto(`${stack.idp.issuer(REALM)}/protocol/openid-connect/logout?client_id=${OTHER_APP}`);
  const framed = tab.waitForResponse((response) => response.url().includes(`/auth/${REALM}/frontchannel-logout?`));
  await tab.locator("#kc-logout").click();
  const answer = await framed;
  const frame = answer.frame();
  await expect(frame.locator("body")).toContainText("so your session in this app has ended too");
  return answer;
}

/**
 * The home page and a copy of the cookie are signed out. Only the front-channel logout can have done it: `/` asks
 * Keycloak nothing (`/account` would notice through its userinfo call and a refused renewal).
 */
async function expectSessionEnded(stack: KeycloakStack, page: Page, copy: string) {
  await page.goto(`${stack.app.url}/`);
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  await expect(page.getByText("Signed in as")).toHaveCount(0);
  const withCopy = await (await fetch(`${stack.app.url}/`, { headers: { cookie: copy } })).text();
  expect(withCopy).not.toContain("Signed in as");
  expect(await stack.admin.sessions(REALM, "demo")).toEqual([]);
}

test("a logout at Keycloak through another client ends the app's session by the framed URL, without cookies", async ({
  browser,
  stack,
}) => {
  await useFrontChannel(stack);
  const context = await browser.newContext();
  const { page, copy } = await signedInTab(context, stack);

  const answer = await logOutThroughOtherApp(context, stack);
  expect(answer.status()).toBe(200);
  expect(answer.headers()["content-security-policy"]).toContain(`frame-ancestors ${new URL(keycloakUrl()).origin};`);
  expect(answer.headers()["x-frame-options"]).toBeUndefined();
  const sent = (await answer.request().allHeaders()).cookie ?? "";
  expect(sent).not.toContain("__session");
  expect(stack.app.output()).toMatch(
    new RegExp(`"event":"frontchannel_logout","realm":"${REALM}","outcome":"success"`),
  );

  await expectSessionEnded(stack, page, copy);
  await context.close();
});

test("works the same with Chromium's third-party cookies blocked", async ({ stack, browserName }, testInfo) => {
  expect(browserName).toBe("chromium");
  await useFrontChannel(stack);
  const { launchOptions } = testInfo.project.use;
  const blocking = await chromium.launch({
    ...launchOptions,
    args: [...(launchOptions?.args ?? []), "--test-third-party-cookie-phaseout"],
  });
  const context = await blocking.newContext();
  const { page, copy } = await signedInTab(context, stack);

  const answer = await logOutThroughOtherApp(context, stack);
  expect(answer.status()).toBe(200);
  expect((await answer.request().allHeaders()).cookie).toBeUndefined();

  await expectSessionEnded(stack, page, copy);
  await blocking.close();
});

test("the app's own logout still ends both sessions with front-channel on, through Keycloak's framing page", async ({
  page,
  stack,
  signIn,
}) => {
  await useFrontChannel(stack);
  await page.goto(`${stack.app.url}/account`);
  await signIn("demo");
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  const framed: string[] = [];
  page.on("request", (request) => request.url().includes("frontchannel-logout") && framed.push(request.url()));
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((url) => url.href.startsWith(`${stack.app.url}/logout/callback?state=`));
  await expect(page.getByText("Your session in this app and at your identity provider has ended.")).toBeVisible();
  expect(await stack.admin.sessions(REALM, "demo")).toEqual([]);
  // Keycloak frames the URL of the client that started the logout too: harmless, that session has ended already.
  expect(framed).toEqual([expect.stringContaining(`/auth/${REALM}/frontchannel-logout?sid=`)]);
});
