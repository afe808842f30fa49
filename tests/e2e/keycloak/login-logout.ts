// A real browser against real Keycloak: login and logout in one logout method
// (logout-post.spec.ts and logout-redirect.spec.ts), for demo
// and for big's 7 KB token; `app` runs them against another app than the Remix one (react-router.spec.ts).
import { decodeJwt } from "jose";
import type { KeycloakStackOptions } from "../../support/keycloak";
import { expect, expectLoggedOutPage, isKeycloakLogout, test } from "./fixtures";

export function loginLogoutTests(
  method: "post" | "redirect",
  { app, name }: { app?: KeycloakStackOptions["app"]; name?: string } = {},
) {
  test.use({ stackOptions: { env: { KEYCLOAK_LOGOUT_METHOD: method }, ...(app && { app }) } });
  test.describe(`KEYCLOAK_LOGOUT_METHOD=${method}${name ? `, ${name}` : ""}`, () => {
    for (const username of ["demo", "big"]) {
      test(`${username} logs in at Keycloak and logs out of the app and of Keycloak`, async ({
        page,
        stack,
        signIn,
      }) => {
        const app = stack.app.url;
        await page.goto(`${app}/account`);
        await expect(page).toHaveURL((url) => url.href.startsWith(`${stack.idp.issuer("demo")}/`));
        await signIn(username);
        await expect(page).toHaveURL(`${app}/account`);
        await expect(page.getByTestId("account-username")).toHaveText(username);

        const keycloakLogout = page.waitForRequest((request) => isKeycloakLogout(stack)(request.url()));
        await page.getByRole("button", { name: "Log out" }).click();
        const request = await keycloakLogout;
        expect(request.method()).toBe(method === "post" ? "POST" : "GET");
        const sent = Object.fromEntries(new URLSearchParams(request.postData() ?? new URL(request.url()).search));
        expect(sent).not.toHaveProperty("redirect_uri");
        const { sid } = decodeJwt(sent.id_token_hint!);
        await expectLoggedOutPage(page, app);
        expect(page.url()).toBe(`${app}/logout/callback?state=${sent.state}`);
        expect((await stack.admin.sessions("demo", username)).map((session) => session.id)).not.toContain(sid);

        await page.goto(`${app}/account`);
        await expect(page.getByRole("heading", { name: "Sign in to your account" })).toBeVisible();
      });
    }
  });
}
