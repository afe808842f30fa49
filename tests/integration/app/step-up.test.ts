// Step-up against the dev IdP over real HTTP: /admin asks for a login within STEP_UP_MAX_AGE (10 s here);
// an older one sends the browser through the IdP again with max_age, which shows its login form.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, formOf, textOf } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

const MAX_AGE = 10;
let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack({ env: { STEP_UP_MAX_AGE: String(MAX_AGE) } });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

const authTime = async (jar: CookieJar) => Number(decodeJwt((await sessionIn(jar, app))!.idToken).auth_time);
/** Until `seconds` have passed since `since` (seconds since the epoch), and one more. */
const waitPast = (since: number, seconds: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, (since + seconds + 1) * 1000 - Date.now())));

describe("step-up (requireRecentLogin) on /admin", () => {
  it("admits a fresh login, then after max_age asks the IdP for the password again, and comes back to /admin", async () => {
    const jar = new CookieJar();
    await logInOverHttp(jar, { app, idp: stack.idp.url });
    const first = await browse(jar, `${app}/admin`);
    expect(first.status).toBe(200);
    expect(textOf(await first.text())).toContain("This page also asks for a recent sign-in");
    const signedInAt = await authTime(jar);

    await waitPast(signedInAt, MAX_AGE);
    const stale = await browse(jar, `${app}/admin`);
    expect(stale.status).toBe(302);
    expect(stale.headers.get("location")).toBe(`/auth/demo/login?max_age=${MAX_AGE}&returnTo=%2Fadmin`);

    const login = await browse(jar, `${app}${stale.headers.get("location")}`);
    const idpPage = await follow(jar, login, app, stack.idp.url);
    const authorize = stack.idp.requests.filter(({ path }) => path.endsWith("/protocol/openid-connect/auth")).at(-1)!;
    expect(authorize.query.max_age).toBe(String(MAX_AGE));
    // The IdP session is older than max_age: its login form, not a silent answer.
    expect(idpPage.html).toBeDefined();
    const { action } = formOf(idpPage.html!, idpPage.url);
    const back = await follow(
      jar,
      await browse(jar, action, { form: { username: "demo", password: "demo" } }),
      action,
      stack.idp.url,
    );
    const callback = await browse(jar, back.url);
    expect(callback.headers.get("location")).toBe("/admin");
    expect(await authTime(jar)).toBeGreaterThan(signedInAt);
    expect((await browse(jar, `${app}/admin`)).status).toBe(200);
  });

  it("sends a visitor without a session to log in first, as any protected page", async () => {
    const response = await browse(new CookieJar(), `${app}/admin`);
    expect(response.headers.get("location")).toBe("/login?returnTo=%2Fadmin");
  });
});
