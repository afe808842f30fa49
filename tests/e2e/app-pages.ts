// What the app's own pages show, whichever IdP the browser test runs against.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page } from "@playwright/test";

/** Back from the IdP's logout: the app's logged-out page, by text only that page has. */
export async function expectLoggedOutPage(page: Page, app: string) {
  await page.waitForURL((url) => url.href.startsWith(`${app}/logout/callback?state=`));
  await expect(page.getByRole("heading", { name: "You are logged out" })).toBeVisible();
  // Text only the completed logout's page has (the incomplete one shares the heading).
  await expect(page.getByText("Your session in this app and at your identity provider has ended.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Log in again" })).toBeVisible();
  await expectSignedOut(page);
  // Settled (hydrated) before the test goes on: leaving the page mid-hydration makes React log error #345.
  await page.waitForLoadState("networkidle");
}

export async function expectSignedOut(page: Page) {
  await expect(page.getByRole("link", { name: "Log in" }).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Log out" })).toHaveCount(0);
}

/** The parameters the browser sent to the end-session endpoint, as a form POST or in the URL. */
export function sentEndSessionParams(request: { url(): string; postData(): string | null }) {
  return Object.fromEntries(new URLSearchParams(request.postData() ?? new URL(request.url()).search));
}

/**
 * Runs the test and then fails it on any console error (a CSP violation, a
 * hydration error, a script error) of the pages `judged` accepts.
 */
export async function failingOnConsoleErrors(page: Page, use: () => Promise<void>, judged = (_page: Page) => true) {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && judged(page)) errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => {
    if (judged(page)) errors.push(error.message);
  });
  await use();
  expect(errors).toEqual([]);
}

/**
 * Follows a link to `target` on a page of another site (127.0.0.1 is not the
 * app's localhost), as a victim lured there would, or with `post` submits a form
 * there; returns once the browser has left that site.
 */
export async function followLinkFromAnotherSite(page: Page, target: string, { post = false } = {}): Promise<void> {
  const lure = post
    ? `<form method="post" action="${target}"><button>Claim your prize</button></form>`
    : `<a href="${target}">Claim your prize</a>`;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end(`<!DOCTYPE html><title>Win a prize</title>${lure}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const site = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    await page.goto(site);
    await page.getByRole(post ? "button" : "link", { name: "Claim your prize" }).click();
    await page.waitForURL((url) => !url.href.startsWith(site));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
