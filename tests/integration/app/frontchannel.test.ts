import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
beforeAll(async () => {
  stack = await startStack();
  app = stack.app.url;
});
afterAll(() => stack?.stop());

const endpoint = (params: Record<string, string>, realm = "demo") =>
  `${app}/auth/${realm}/frontchannel-logout?${new URLSearchParams(params)}`;

async function logIn(jar = new CookieJar()) {
  expect((await logInOverHttp(jar, { app, idp: stack.idp.url })).status).toBe(302);
  const { sid } = decodeJwt((await sessionIn(jar, app))!.idToken) as { sid: string };
  return { jar, sid };
}

const signedIn = async (jar: CookieJar) => (await browse(jar, `${app}/account`)).status === 200;

/** As the provider's logout page loads it in an iframe: across sites, so without the app's cookies. */
const frame = (url: string) => fetch(url, { headers: { "Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site" } });

describe("front-channel logout", () => {
  it("ends the session its sid names without any cookie, and a copy of the cookie is dead too", async () => {
    const { jar, sid } = await logIn();
    const copy = jar.header(`${app}/account`);
    const other = await logIn();

    const answer = await frame(endpoint({ iss: stack.idp.issuer("demo"), sid }));
    expect(answer.status).toBe(200);
    expect(textOf(await answer.text())).toContain("so your session in this app has ended too");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("content-security-policy")).toContain(
      `frame-ancestors ${new URL(stack.idp.url).origin};`,
    );
    expect(answer.headers.get("x-frame-options")).toBeNull();

    const withCopy = await fetch(`${app}/account`, { headers: { cookie: copy }, redirect: "manual" });
    expect(withCopy.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    expect(await signedIn(jar)).toBe(false);
    // Another session of the same user, in another browser, is not the one the provider ended.
    expect(await signedIn(other.jar)).toBe(true);
  });

  it("refuses plainly, and changes nothing, without sid (session required off) or from another issuer", async () => {
    const { jar, sid } = await logIn();
    const noSid = await frame(endpoint({ iss: stack.idp.issuer("demo") }));
    expect(noSid.status).toBe(400);
    expect(textOf(await noSid.text())).toContain("Front-channel logout session required");

    const otherIssuer = await frame(endpoint({ iss: stack.idp.issuer("acme"), sid }));
    expect(otherIssuer.status).toBe(400);
    expect(textOf(await otherIssuer.text())).toContain("The issuer named is not");
    expect(otherIssuer.headers.get("x-frame-options")).toBeNull();

    expect(await signedIn(jar)).toBe(true);
  });

  it("answers 404 for an unknown provider, framable by no one", async () => {
    const answer = await frame(endpoint({ iss: stack.idp.issuer("demo"), sid: "x" }, "nope"));
    expect(answer.status).toBe(404);
    expect(answer.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("logs the logout without the sid", async () => {
    const { sid } = await logIn();
    const before = stack.app.output().length;
    await frame(endpoint({ iss: stack.idp.issuer("demo"), sid }));
    await expect.poll(() => stack.app.output().slice(before)).toContain("frontchannel_logout");
    expect(stack.app.output().slice(before)).not.toContain(sid);
  });
});
