// Issue 14.9: with an https APP_URL the session cookie carries the __Host- prefix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../support/app";
import { encryptedSession } from "../support/login";

let app: RunningApp;
let appUrl: string;

beforeAll(async () => {
  const port = await freePort();
  // TLS is the proxy's job: the app itself listens on plain HTTP, as behind nginx.
  appUrl = `https://localhost:${port}`;
  app = await startApp({
    port,
    env: { APP_URL: appUrl, KEYCLOAK_URL: `http://127.0.0.1:${await freePort()}`, KEYCLOAK_REALM: "demo" },
  });
});
afterAll(() => app?.stop());

const sealed = () =>
  encryptedSession({
    user: { realm: "demo", sub: "u1", sid: "s1", username: "demo" },
    idToken: "a.b.c",
    createdAt: Date.now() / 1000,
  });
/** Whether the home page shows someone signed in (it calls no API, so a session without tokens shows there too). */
const signedInOnHome = async (cookie: string) =>
  (await (await fetch(`${app.url}/`, { headers: { cookie } })).text()).includes('data-testid="username"');

describe("session cookies when APP_URL is https", () => {
  it("are read only under the __Host- prefix: a plain __session (which a sibling subdomain could plant) is not a session", async () => {
    const value = await sealed();
    expect(await signedInOnHome(`__Host-session=${value}`)).toBe(true);
    expect(await signedInOnHome(`__session=${value}`)).toBe(false);
  });

  it("are deleted at logout as __Host- cookies: Secure, Path=/, no Domain", async () => {
    const logout = await fetch(`${app.url}/logout`, {
      method: "POST",
      headers: {
        cookie: `__Host-session=${await sealed()}`,
        Origin: appUrl,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      redirect: "manual",
    });
    const deleted = logout.headers.getSetCookie().find((cookie) => cookie.startsWith("__Host-session="));
    expect(deleted).toMatch(/^__Host-session=; Path=\/; .*Max-Age=0/);
    expect(deleted).toMatch(/; Secure/);
    expect(deleted).not.toMatch(/Domain=/i);
  });
});
