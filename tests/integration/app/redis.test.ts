// Two app instances behind a load balancer share back-channel logouts through Redis.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CLIENT, type RunningApp } from "../../support/app";
import { CookieJar } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startTwoInstances, type TwoInstances } from "../../support/two-instances";

let instances: TwoInstances;
let idp: TwoInstances["idp"];
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  instances = await startTwoInstances();
  ({ idp, a, b } = instances);
});
afterAll(() => instances?.stop());

/** The same browser session presented to an instance (a load balancer would pick one). */
const onInstance = (instance: RunningApp, cookie: string) =>
  fetch(`${instance.url}/account`, { headers: { cookie }, redirect: "manual" });

describe("revocations shared through Redis", () => {
  it("a back-channel logout received by instance A ends the session on instance B", async () => {
    const jar = new CookieJar();
    expect((await logInOverHttp(jar, { app: a.url, idp: idp.url })).status).toBe(302);
    const cookie = jar.header(a.url);
    expect((await onInstance(a, cookie)).status).toBe(200);
    expect((await onInstance(b, cookie)).status).toBe(200);
    const { sid, sub } = decodeJwt((await sessionIn(jar, a.url))!.idToken) as { sid: string; sub: string };

    const token = idp.logoutToken("demo", { clientId: TEST_CLIENT.clientId, sid, sub });
    const response = await fetch(`${a.url}/auth/demo/backchannel-logout`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ logout_token: token }),
    });
    expect(response.status).toBe(200);

    const onB = await onInstance(b, cookie);
    expect(onB.status).toBe(302);
    expect(onB.headers.get("location")).toBe("/login?returnTo=%2Faccount");

    // And the replay is refused by the other instance too.
    const replay = await fetch(`${b.url}/auth/demo/backchannel-logout`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ logout_token: token }),
    });
    expect(replay.status).toBe(400);
  });
});
