// The session cookie: encrypted, within its size budget, and never a trap for the browser that carries it.
import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decrypt } from "~/auth/session/sealed-cookie.server";
import { SESSION_COOKIE_BUDGET } from "~/auth/session/session.server";
import { DEFAULT_USERS, groupPaths } from "../../../dev/idp/users.js";
import { freePort, startApp, type RunningApp } from "../../support/app";
import { browse, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { encryptedSession, logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

/** What someone without the secret could read from bytes: as they are, and inflated, if they inflate. */
function readable(bytes: Buffer): string[] {
  try {
    return [bytes.toString("latin1"), inflateRawSync(bytes).toString("latin1")];
  } catch {
    return [bytes.toString("latin1")];
  }
}

const OLD_SECRET = "old-session-secret-0123456789abcdefghij";
const NEW_SECRET = "new-session-secret-0123456789abcdefghij";
const [demo] = DEFAULT_USERS;
const user = (username: string, groups: number) => ({
  ...demo!,
  sub: `sub-${username}`,
  username,
  password: username,
  email: `${username}@example.com`,
  groups: groupPaths(groups),
});

let stack: Stack;
let app: string;

beforeAll(async () => {
  stack = await startStack({
    users: [demo!, user("many", 110), user("toomany", 200)],
    env: { SESSION_SECRET: OLD_SECRET },
  });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

const sessionCookies = (jar: CookieJar) =>
  jar
    .header(app)
    .split("; ")
    .filter((pair) => /^__session(\.\d+)?=/.test(pair));

describe("the session cookie's contents", () => {
  it("are unreadable without the secret: no claim, name or token in it, and another secret cannot decrypt it", async () => {
    const jar = new CookieJar();
    expect((await logInOverHttp(jar, { app, idp: stack.idp.url, username: "many" })).status).toBe(302);
    const value = sessionCookies(jar)
      .map((pair) => pair.slice(pair.indexOf("=") + 1))
      .join("");
    const visible = [
      value,
      ...value
        .split(".")
        .slice(1)
        .flatMap((part) => readable(Buffer.from(part, "base64url"))),
    ];
    for (const text of visible) {
      for (const secret of ["many@example.com", "organisation", "preferred_username", "groups", '"sub"'])
        expect(text).not.toContain(secret);
    }
    expect(await decrypt(value, [NEW_SECRET])).toBeNull();
    expect(await decrypt(value, [OLD_SECRET])).not.toBeNull();
  });

  describe("after a secret rotation", () => {
    let rotated: RunningApp;
    beforeAll(async () => {
      rotated = await startApp({
        port: await freePort(),
        env: { KEYCLOAK_URL: stack.idp.url, KEYCLOAK_REALM: "demo", SESSION_SECRET: `${NEW_SECRET},${OLD_SECRET}` },
      });
    });
    afterAll(() => rotated?.stop());

    it("still reads sessions encrypted with the old secret, and writes none the old secret alone could read", async () => {
      const jar = new CookieJar();
      await logInOverHttp(jar, { app, idp: stack.idp.url, username: "demo" });
      const account = await fetch(`${rotated.url}/account`, {
        headers: { cookie: jar.header(app) },
        redirect: "manual",
      });
      expect(account.status).toBe(200);
      expect(textOf(await account.text())).toContain("demo@example.com");

      const forged = await encryptedSession(
        { user: { realm: "demo", sub: "x", username: "mallory" }, idToken: "a.b.c", createdAt: Date.now() / 1000 },
        "a-retired-secret-0123456789abcdefghij",
      );
      const refused = await fetch(`${rotated.url}/account`, {
        headers: { cookie: `__session=${forged}` },
        redirect: "manual",
      });
      expect(refused.status).toBe(302);
    });
  });
});

describe("the session's size budget", () => {
  it("keeps a 110-group token within the budget, split over cookies a browser accepts", async () => {
    const jar = new CookieJar();
    expect((await logInOverHttp(jar, { app, idp: stack.idp.url, username: "many" })).status).toBe(302);
    const cookies = sessionCookies(jar);
    expect(cookies.length).toBe(2);
    for (const pair of cookies) expect(pair.length).toBeLessThanOrEqual(4096);
    expect(cookies.join("").length).toBeLessThanOrEqual(SESSION_COOKIE_BUDGET);
    expect((await sessionIn(jar, app, OLD_SECRET))?.user.username).toBe("many");
    const account = await browse(jar, `${app}/account`);
    expect(textOf(await account.text())).toContain("department-110");
  });

  it("refuses a session over the budget with a page that says what to change in Keycloak, and sets no session", async () => {
    const jar = new CookieJar();
    const callback = await logInOverHttp(jar, { app, idp: stack.idp.url, username: "toomany" });
    expect(callback.status).toBe(400);
    const text = textOf(await callback.text());
    expect(text).toContain("Your account has too many groups to sign in here");
    expect(text).toContain("Add to ID token");
    expect(sessionCookies(jar)).toEqual([]);
    await expect.poll(() => stack.app.output()).toMatch(/session_too_large/);
  });

  it("offers another account: the IdP asks for its login form although its session would sign the same user in", async () => {
    const jar = new CookieJar();
    const callback = await logInOverHttp(jar, { app, idp: stack.idp.url, username: "toomany" });
    expect(await callback.text()).toContain('href="/auth/demo/login?prompt=login"');

    const login = await browse(jar, `${app}/auth/demo/login?prompt=login`);
    expect(new URL(login.headers.get("location")!).searchParams.get("prompt")).toBe("login");
    const page = await follow(jar, login, app, stack.idp.url);
    expect(textOf(page.html!)).toContain("Sign in to your account");
    const { action } = formOf(page.html!, page.url);
    let done = await follow(
      jar,
      await browse(jar, action, { form: { username: "demo", password: "demo" } }),
      action,
      stack.idp.url,
    );
    // Another account than the IdP session's: the IdP ends that session first, with a self-submitting form.
    if (done.html) {
      const form = formOf(done.html, done.url);
      done = await follow(jar, await browse(jar, form.action, { form: form.fields }), form.action, stack.idp.url);
    }
    expect((await browse(jar, done.url)).status).toBe(302);
    expect((await sessionIn(jar, app, OLD_SECRET))?.user.username).toBe("demo");
  });

  it("clears session cookies the app cannot read, and chunks past the budget that older versions left", async () => {
    const jar = new CookieJar();
    await logInOverHttp(jar, { app, idp: stack.idp.url, username: "demo" });
    const valid = sessionCookies(jar).join("; ");
    const leftovers = Array.from({ length: 4 }, (_, i) => `__session.${i + 2}=${"x".repeat(1000)}`).join("; ");

    const withLeftovers = await fetch(`${app}/`, { headers: { cookie: `${valid}; ${leftovers}` } });
    expect(textOf(await withLeftovers.text())).toContain("Signed in as");
    const cleared = withLeftovers.headers
      .getSetCookie()
      .filter((line) => /Max-Age=0/.test(line))
      .map((line) => line.split("=")[0]);
    expect(cleared).toEqual(["__session.2", "__session.3", "__session.4", "__session.5"]);

    const unreadable = await fetch(`${app}/`, {
      headers: { cookie: `__session=${"y".repeat(3800)}; __session.1=z; ${leftovers}` },
    });
    expect(unreadable.status).toBe(200);
    const deleted = unreadable.headers
      .getSetCookie()
      .filter((line) => /Max-Age=0/.test(line))
      .map((line) => line.split("=")[0]);
    expect(deleted.sort()).toEqual([
      "__session",
      "__session.1",
      "__session.2",
      "__session.3",
      "__session.4",
      "__session.5",
    ]);
  });

  it("leaves room under Node's 16 KB header limit for a full session and a full 4 KB cookie of the app's own", async () => {
    const jar = new CookieJar();
    await logInOverHttp(jar, { app, idp: stack.idp.url, username: "many" });
    const padding = `__app=${"a".repeat(4090)}`;
    const response = await fetch(`${app}/account`, {
      headers: { cookie: `${jar.header(app)}; ${padding}` },
      redirect: "manual",
    });
    expect(response.status).toBe(200);
  });
});
