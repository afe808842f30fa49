// The app as the relying party of the OpenID Foundation's RP test plans
// (tests/integration/conformance/): its production build, signing in through
// hostile providers, and the two outcomes a module expects.
import { expect } from "vitest";
import { envName } from "../../app/auth/core/config.server";
import { freePort, startApp, TEST_CLIENT, type RunningApp } from "./app";
import { browse, CookieJar, follow, textOf } from "./browserless";
import type { HostileProvider } from "./hostile-provider";
import { sessionIn } from "./login";

/**
 * The app with realm `demo` (its default) at `providers.demo`, whose `path` must be `/realms/demo`, and every
 * other provider as a generic OpenID provider of that name (OIDC_PROVIDERS): each has its own discovery and keys.
 */
export async function startRp(providers: { demo: HostileProvider } & Record<string, HostileProvider>) {
  const { demo, ...others } = providers;
  const env: Record<string, string> = {
    KEYCLOAK_URL: new URL(demo.issuer).origin,
    KEYCLOAK_REALM: "demo",
    OIDC_PROVIDERS: Object.keys(others).join(","),
  };
  for (const [name, provider] of Object.entries(others)) {
    const prefix = `OIDC_PROVIDER_${envName(name)}`;
    env[`${prefix}_ISSUER`] = provider.issuer;
    env[`${prefix}_CLIENT_ID`] = TEST_CLIENT.clientId;
    env[`${prefix}_CLIENT_SECRET`] = TEST_CLIENT.clientSecret;
  }
  return startApp({ port: await freePort(), env });
}

export interface LoginAttempt {
  jar: CookieJar;
  /** The app's answer at its callback. */
  callback: Response;
  /** What the app printed since the login started. */
  log(): string;
}

/** A browser's login at the app's `realm`, whose provider signs it in at once, up to the callback's answer. */
export async function logInAt(rp: RunningApp, realm: string, provider: HostileProvider): Promise<LoginAttempt> {
  const jar = new CookieJar();
  const logFrom = rp.output().length;
  const login = `${rp.url}/auth/${realm}/login?returnTo=%2Faccount`;
  const { url } = await follow(jar, await browse(jar, login), login, provider.issuer);
  expect(url.startsWith(`${rp.url}/auth/${realm}/callback?`)).toBe(true);
  return { jar, callback: await browse(jar, url), log: () => rp.output().slice(logFrom) };
}

/** Accepted: back at /account, which shows the user's `name`, with a session for `sub`. */
export async function expectLoggedIn(
  rp: RunningApp,
  { jar, callback }: LoginAttempt,
  { sub = "user-1", name = "A User" } = {},
): Promise<string> {
  expect(callback.status).toBe(302);
  expect(callback.headers.get("location")).toBe("/account");
  const account = await browse(jar, `${rp.url}/account`);
  expect(account.status).toBe(200);
  const text = textOf(await account.text());
  expect(text).toContain(name);
  expect((await sessionIn(jar, rp.url))?.user.sub).toBe(sub);
  return text;
}

/**
 * Refused: the page `title` with its `status`, no session (none set, none in the browser, /account sends to
 * login), and one `login_failed` line in the log with the AuthError's `code` and a detail matching `why`.
 */
export async function expectRefused(
  rp: RunningApp,
  { jar, callback, log }: LoginAttempt,
  {
    why,
    code = "invalid_id_token",
    status = 400,
    title = "Sign-in could not be verified",
  }: { why: RegExp; code?: string; status?: number; title?: string },
): Promise<void> {
  expect(callback.status).toBe(status);
  expect(textOf(await callback.text())).toContain(title);
  expect(callback.headers.getSetCookie().filter((cookie) => cookie.startsWith("__session"))).toEqual([]);
  expect(await sessionIn(jar, rp.url)).toBeNull();
  const account = await browse(jar, `${rp.url}/account`);
  expect(account.status).toBe(302);
  expect(account.headers.get("location")).toBe("/login?returnTo=%2Faccount");
  await expect.poll(log, { timeout: 10_000 }).toContain('"event":"login_failed"');
  const failures = log()
    .split("\n")
    .filter((line) => line.includes('"event":"login_failed"'))
    .map((line) => JSON.parse(line));
  expect(failures).toEqual([expect.objectContaining({ outcome: "failure", code })]);
  expect(failures[0].detail).toMatch(why);
}
