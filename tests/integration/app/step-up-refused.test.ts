// A provider that ignores a step-up (max_age, acr_values) is refused with a clear page, not accepted silently,
// and the user's session stays as it was. The provider here (tests/support/hostile-provider.ts) answers
// whatever ID token a test makes it sign.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { sessionIn } from "../../support/login";
import { logIn, startLogoutStack, type LogoutStack } from "../../support/logout-provider";

let stack: LogoutStack;
beforeAll(async () => {
  stack = await startLogoutStack();
});
afterAll(() => stack?.stop());

const now = () => Math.floor(Date.now() / 1000);

/** A step-up login from the app's own login URL, with the ID token `claims` the provider then signs. */
async function stepUp(jar: CookieJar, query: string, claims: Record<string, unknown>) {
  stack.provider.idToken = (nonce) => stack.provider.sign({ nonce, ...claims });
  const start = await browse(jar, `${stack.rp.url}/auth/demo/login?${query}&returnTo=%2Faccount`);
  const authorize = new URL(start.headers.get("location")!);
  const { url } = await follow(jar, start, stack.rp.url, stack.provider.issuer);
  const callback = await browse(jar, url);
  return { authorize, callback, text: textOf(await callback.clone().text()) };
}

describe("a provider that ignores the step-up", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["max_age=10", { auth_time: now() - 3600 }, "an old auth_time"],
    ["max_age=10", {}, "no auth_time"],
    ["acr_values=gold", { auth_time: now(), acr: "1" }, "another acr"],
  ])("%s answered with %j (%s): a 403 page, and the session as it was", async (query, claims) => {
    const jar = new CookieJar();
    await logIn(jar, stack);
    const before = await sessionIn(jar, stack.rp.url);

    const { authorize, callback, text } = await stepUp(jar, query, claims);
    for (const [name, value] of new URLSearchParams(query)) expect(authorize.searchParams.get(name)).toBe(value);
    expect(callback.status).toBe(403);
    expect(text).toContain("This page needs a fresh sign-in");
    expect(text).toContain("Your session is as it was.");
    expect(await sessionIn(jar, stack.rp.url)).toEqual(before);
  });

  it("accepts a provider that did authenticate again", async () => {
    const jar = new CookieJar();
    await logIn(jar, stack);
    const { callback } = await stepUp(jar, "max_age=10&acr_values=gold", { auth_time: now(), acr: "gold" });
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toBe("/account");
  });
});
