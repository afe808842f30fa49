// The docs/EXTENDING.md example, through the production build: the app's own
// data (a preference and a flash message) in Remix's cookie session storage,
// next to the auth session.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { logInOverHttp } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;

beforeAll(async () => {
  stack = await startStack();
  app = stack.app.url;
});
afterAll(() => stack?.stop());

const NOTICE = "The claims table is hidden.";
const cookieValue = (jar: CookieJar, name: string) =>
  jar
    .header(app)
    .split("; ")
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);

describe("the app's own session, as docs/EXTENDING.md shows", () => {
  it("shows a flash message once after the action, and keeps the preference in its own cookie", async () => {
    const jar = new CookieJar();
    await logInOverHttp(jar, { app, idp: stack.idp.url });
    const authSession = cookieValue(jar, "__session");
    const before = textOf(await (await browse(jar, `${app}/account`)).text());
    expect(before).toContain("preferred_username");
    expect(before).not.toContain(NOTICE);

    const saved = await browse(jar, `${app}/account`, { form: { claims: "hide" } });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe("/account");
    expect(saved.headers.getSetCookie()).toContainEqual(
      expect.stringMatching(/^app-session=[^;]+; Max-Age=34560000; .*HttpOnly; SameSite=Lax/),
    );

    const shown = await browse(jar, `${app}/account`);
    const page = textOf(await shown.text());
    expect(page).toContain(NOTICE);
    expect(page).not.toContain("preferred_username");
    expect(page).toContain("Show the claims");

    const again = textOf(await (await browse(jar, `${app}/account`)).text());
    expect(again).not.toContain(NOTICE);
    expect(again).not.toContain("preferred_username");

    expect(cookieValue(jar, "__session")).toBe(authSession);
    await browse(jar, `${app}/account`, { form: { claims: "show" } });
    const back = textOf(await (await browse(jar, `${app}/account`)).text());
    expect(back).toContain("The claims table is shown again.");
    expect(back).toContain("preferred_username");
  });

  it("reads a tampered app cookie as empty, and needs a signed-in user to change it", async () => {
    const jar = new CookieJar();
    await logInOverHttp(jar, { app, idp: stack.idp.url });
    await browse(jar, `${app}/account`, { form: { claims: "hide" } });
    const tampered = jar.header(app).replace(/app-session=([^;]+)/, (_, value: string) => `app-session=x${value}`);
    const page = await fetch(`${app}/account`, { headers: { cookie: tampered } });
    expect(page.status).toBe(200);
    const text = textOf(await page.text());
    expect(text).toContain("preferred_username");
    expect(text).not.toContain(NOTICE);

    const anonymous = await browse(new CookieJar(), `${app}/account`, { form: { claims: "hide" } });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    expect(anonymous.headers.getSetCookie().some((line) => line.startsWith("app-session="))).toBe(false);
  });
});
