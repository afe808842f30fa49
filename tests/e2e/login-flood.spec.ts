// Issue 14.4: another site opens a popup and sends it to the login URL over and over.
// Each visit starts a login; the browser must still be able to finish the next one.
import http from "node:http";
import { expect, test } from "./fixtures";

test("a cross-site flood of login links does not block the next login", async ({ page, context, stack, signIn }) => {
  const app = stack.app.url;
  // Another site (127.0.0.1 is not localhost's site) with a page that can open a popup.
  const attacker = http.createServer((_req, res) => res.end("<!doctype html><title>elsewhere</title><p>elsewhere</p>"));
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  const attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}/`;
  try {
    // The IdP is not needed for the flood: answer its login page here, so only the app's cookies pile up.
    await context.route(`${stack.idp.url}/**`, (route) =>
      route.fulfill({ contentType: "text/html", body: "<p>idp</p>" }),
    );
    const site = await context.newPage();
    await site.goto(attackerUrl);
    const popupOpened = context.waitForEvent("page");
    await site.evaluate((url) => {
      (window as unknown as { flood: Window | null }).flood = window.open(url, "flood");
    }, `${app}/auth/demo/login`);
    const popup = await popupOpened;
    for (let i = 0; i < 130; i++) {
      const arrived = popup.waitForURL((url) => url.href.startsWith(stack.idp.url), { waitUntil: "commit" });
      if (i > 0) {
        await site.evaluate((url) => {
          (window as unknown as { flood: Window }).flood.location.href = url;
        }, `${app}/auth/demo/login?i=${i}`);
      }
      await arrived;
    }
    const cookies = (await context.cookies(`${app}/auth/demo/callback`)).map((cookie) => cookie.name);
    expect(cookies.sort()).toEqual(["oidc-return-to", "oidc:demo"]);
    await context.unroute(`${stack.idp.url}/**`);
    await popup.close();
    await site.close();

    await page.goto(`${app}/account`);
    await signIn("demo");
    await expect(page).toHaveURL(`${app}/account`);
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  } finally {
    await new Promise((resolve) => attacker.close(resolve));
  }
});
