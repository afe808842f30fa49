import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test as base } from "./fixtures";

export const SCHEMES = ["light", "dark"] as const;
export const WIDTHS = [360, 1280] as const;
const SCREENSHOT_DIR = "test-results/screenshots";
const ERROR_STATUS_LOGGED = "Failed to load resource: the server responded with a status of";

/**
 * The fixtures' `test`, except that an error page's own 4xx/5xx status may be
 * logged: Chrome reports it as a console error, and these pages are meant to
 * have one. Every other console error still fails the test.
 */
export const test = base.extend({
  // Overridden without options, it stays an auto fixture.
  failOnConsoleErrors: async ({ page }, use) => {
    const errorDocuments = new Set<string>();
    const messages: { text: string; url: string }[] = [];
    page.on("response", (response) => {
      if (response.request().isNavigationRequest() && response.status() >= 400) errorDocuments.add(response.url());
    });
    page.on("console", (message) => {
      if (message.type() === "error") messages.push({ text: message.text(), url: message.location().url });
    });
    page.on("pageerror", (error) => messages.push({ text: error.message, url: "" }));
    await use();
    const errors = messages
      .filter(({ text, url }) => !(errorDocuments.has(url) && text.startsWith(ERROR_STATUS_LOGGED)))
      .map(({ text, url }) => `${text} (${url})`);
    expect(errors).toEqual([]);
  },
});

/** Fails with one readable line per WCAG 2.1 A/AA violation and the elements it was found on. */
export async function expectNoAccessibilityViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const readable = violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help}\n` +
      violation.nodes
        .map((node) => `    ${node.target.join(" ")}: ${node.failureSummary?.replace(/\s+/g, " ")}`)
        .join("\n"),
  );
  expect(readable, `accessibility violations on ${page.url()}`).toEqual([]);
}

/** A full-page screenshot at this width, under test-results/screenshots/ and attached to the report. */
export async function saveScreenshot(page: Page, testInfo: TestInfo, name: string, width: number) {
  await page.setViewportSize({ width, height: 800 });
  const path = `${SCREENSHOT_DIR}/${name}-${width}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(`${name}-${width}`, { path, contentType: "image/png" });
}
