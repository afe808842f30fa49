// The app behind a real nginx, configured as docs/DEPLOY.md says (TLS, the
// access log without query strings, request ids, the buffer sizes), in a real
// browser: the user with 60 groups (the largest session cookies, the longest
// logout) logs in and out through it.
import { DEFAULT_USERS, groupPaths } from "../../dev/idp/users.js";
import { SESSION_COOKIE_BUDGET } from "../../app/auth/session/session.server";
import { freePort } from "../support/app";
import { findNginx, startProxy, type Proxy } from "../support/nginx";
import { startStack } from "../support/stack";
import { failingOnConsoleErrors } from "./app-pages";
import { test as base, expect, expectLoggedOutPage } from "./fixtures";

// 110 long group names: with its tokens, the largest session the app writes, just under its budget.
const wide = {
  ...DEFAULT_USERS[1]!,
  sub: "3e8a1f62-7c4d-4b0e-a9d5-c2f1b6e0d871",
  username: "wide",
  password: "wide",
  email: "wide@example.com",
  groups: groupPaths(110),
};

const test = base.extend<
  { nginx: (leaveOut?: string[]) => Promise<Proxy> },
  { ports: { port: number; redirectPort: number } }
>({
  // Console errors fail the test, except on nginx's own 502 page, left at the callback's URL (a successful
  // callback redirects at once), whose own status Chrome logs as an error. Overridden without options, it
  // stays an auto fixture.
  failOnConsoleErrors: async ({ page }, use) =>
    failingOnConsoleErrors(page, use, (p) => !new URL(p.url()).pathname.endsWith("/callback")),
  ports: [async ({}, use) => use({ port: await freePort(), redirectPort: await freePort() }), { scope: "worker" }],
  stack: [
    async ({ ports }, use) => {
      // No back-channel URL: the dev IdP would not trust the test's self-signed certificate.
      const stack = await startStack({
        publicUrl: `https://localhost:${ports.port}`,
        backchannelLogout: false,
        users: [...DEFAULT_USERS, wide],
      });
      await use(stack);
      await stack.stop();
    },
    { scope: "worker" },
  ],
  /** nginx with DEPLOY.md's config, minus the directives in `leaveOut`; stopped after the test. */
  nginx: async ({ ports, stack }, use) => {
    const started: Proxy[] = [];
    await use(async (leaveOut) => {
      const proxy = await startProxy({ ...ports, appPort: stack.app.port, leaveOut });
      started.push(proxy);
      return proxy;
    });
    await Promise.all(started.map((proxy) => proxy.stop()));
  },
});
// The certificate is made by the test: self-signed.
test.use({ ignoreHTTPSErrors: true });
// CI always has nginx (.ci/run fetches it); elsewhere: `node dev/nginx/cli.js`.
test.skip(!findNginx() && !process.env.CI, "no nginx: run `node dev/nginx/cli.js`");

test("with DEPLOY.md's nginx config, the user with 60 groups logs in and out, and no code or state reaches the access log", async ({
  page,
  stack,
  nginx,
  signIn,
}) => {
  const { url: app, accessLog } = await nginx();
  await page.goto(`${app}/login`);
  await signIn("big");
  await expect(page).toHaveURL(`${app}/`);
  await expect(page.getByTestId("username")).toHaveText("big");
  const sessionCookies = (await page.context().cookies(app)).filter((c) => c.name.startsWith("__Host-session"));
  expect(sessionCookies.length).toBeGreaterThan(0);

  await page.goto(`${app}/account`);
  await expect(page.getByText("60 values")).toBeVisible();

  const endSession = page.waitForRequest(
    (request) => request.url().startsWith(`${stack.idp.url}/realms/demo/`) && request.url().includes("/logout"),
  );
  await page.getByRole("button", { name: "Log out" }).click();
  await endSession;
  await expectLoggedOutPage(page, app);
  expect((await page.context().cookies(app)).filter((c) => c.name.startsWith("__Host-session"))).toEqual([]);

  const log = accessLog();
  expect(log).toMatch(/"GET \/auth\/demo\/callback HTTP\/1\.1" 302 /);
  expect(log).toMatch(/"POST \/logout HTTP\/1\.1" (200|302) /);
  expect(log).not.toMatch(/code=|state=|session=/);
  // nginx's request id ends the line; the app kept it in its own log line for the same request.
  const callbackId = /"GET \/auth\/demo\/callback [^\n]* ([0-9a-f]{32})\n/.exec(log)?.[1];
  expect(callbackId).toBeDefined();
  await expect.poll(() => stack.app.output()).toContain(callbackId!);
});

test("nginx's default request-header buffers (8k) carry the largest session the app writes, and the logins in progress beside it", async ({
  page,
  nginx,
  signIn,
}) => {
  const { url: app } = await nginx(["large_client_header_buffers"]);
  await page.goto(`${app}/login`);
  await signIn("wide");
  await expect(page).toHaveURL(`${app}/`);
  const size = (cookies: { name: string; value: string }[]) =>
    cookies.reduce((sum, c) => sum + c.name.length + 1 + c.value.length, 0);
  const sessionCookies = (await page.context().cookies(app)).filter((c) => c.name.startsWith("__Host-session"));
  expect(size(sessionCookies)).toBeGreaterThan(SESSION_COOKIE_BUDGET * 0.95);
  expect(size(sessionCookies)).toBeLessThanOrEqual(SESSION_COOKIE_BUDGET);

  // Over https the login-state cookies ride on every request: fill them, each login with the longest return path
  // kept (198 bytes in the cookie), and leave them in progress (the browser's requests, not followed to the IdP).
  const longest = encodeURIComponent(`/${";".repeat(65)}`);
  for (let i = 0; i < 4; i++) {
    const login = await page.request.get(`${app}/auth/demo/login?returnTo=${longest}`, { maxRedirects: 0 });
    expect(login.status()).toBe(302);
  }
  const loginState = (await page.context().cookies(app)).filter((c) => c.name.startsWith("__Host-oidc"));
  expect(loginState.map((c) => c.name).sort()).toEqual(["__Host-oidc-return-to", "__Host-oidc:demo"]);
  expect(size(loginState)).toBeGreaterThan(1000);

  await page.goto(`${app}/account`);
  await expect(page.getByText("110 values")).toBeVisible();
});

test("without DEPLOY.md's proxy buffer lines, nginx answers 502 to the login of the user with 60 groups", async ({
  page,
  nginx,
  signIn,
}) => {
  const { url: app, errorLog } = await nginx(["proxy_buffer_size", "proxy_buffers"]);
  await page.goto(`${app}/login`);
  await signIn("big");
  await expect(page.getByRole("heading", { name: "502 Bad Gateway" })).toBeVisible();
  expect(errorLog()).toContain("upstream sent too big header");
});
