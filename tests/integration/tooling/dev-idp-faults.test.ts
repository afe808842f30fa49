// The dev IdP's fault switches, for the resilience tests.
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";

import { startIdp } from "../../../dev/idp/index.js";
import { CookieJar } from "../../support/browserless";
import {
  authorize,
  CLIENT_ID,
  exchangeCode,
  idp,
  signIn,
  submitLogin,
  until,
  useDevIdp,
} from "../../support/dev-idp-client";

useDevIdp();

describe("dev IdP: fault switches", () => {
  const discovery = () => `${idp.issuer("demo")}/.well-known/openid-configuration`;

  afterEach(() => {
    Object.assign(idp.faults, {
      down: false,
      delayMs: 0,
      failTokenEndpoint: false,
      failUserinfo: false,
      clockSkewSeconds: 0,
    });
  });

  it("starts with every fault off", () => {
    expect(idp.faults).toEqual({
      down: false,
      delayMs: 0,
      failTokenEndpoint: false,
      failUserinfo: false,
      clockSkewSeconds: 0,
    });
  });

  it("drops every connection while down", async () => {
    expect((await fetch(discovery())).status).toBe(200); // leaves a kept-alive connection behind
    idp.faults.down = true;
    await expect(fetch(discovery())).rejects.toThrow();
    await expect(fetch(discovery(), { headers: { connection: "close" } })).rejects.toThrow();
    idp.faults.down = false;
    expect((await fetch(discovery())).status).toBe(200);
  });

  it("delays every response by delayMs", async () => {
    idp.faults.delayMs = 300;
    const started = performance.now();
    const response = await fetch(discovery());
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(299); // timers may round down by < 1 ms
  });

  it("closes with delayed requests pending", async () => {
    const own = await startIdp({ realms: { demo: { clients: [] } } });
    own.faults.delayMs = 60_000;
    const pending = fetch(`${own.issuer("demo")}/.well-known/openid-configuration`);
    await until(() => own.requests.length === 1);
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it("answers 503 at the token endpoint while failTokenEndpoint is on", async () => {
    const jar = new CookieJar();
    const start = await authorize(jar, "demo");
    const done = await submitLogin(jar, start.html!, start.url, "demo", "demo");
    idp.faults.failTokenEndpoint = true;
    const response = await fetch(`${idp.issuer("demo")}/protocol/openid-connect/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: new URL(done.url).searchParams.get("code")!,
      }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: "temporarily_unavailable" });
    // The code did not reach oidc-provider, so it still works once the endpoint is back.
    idp.faults.failTokenEndpoint = false;
    expect((await exchangeCode("demo", done.url, start.verifier)).id_token).toBeTruthy();
  });

  it("shifts the times in ID tokens and logout tokens by clockSkewSeconds", async () => {
    idp.faults.clockSkewSeconds = 600;
    const { claims } = await signIn("demo", "demo", "demo");
    const now = Date.now() / 1000;
    expect(Math.abs(claims.iat! - (now + 600))).toBeLessThan(10);
    expect(Math.abs((claims.auth_time as number) - (now + 600))).toBeLessThan(10);
    expect(Math.abs(claims.exp! - (claims.iat! + 300))).toBeLessThanOrEqual(1);

    const logoutToken = decodeJwt(
      idp.logoutToken("demo", { clientId: CLIENT_ID, sub: claims.sub!, sid: claims.sid as string }),
    );
    expect(Math.abs(logoutToken.iat! - (now + 600))).toBeLessThan(10);

    idp.faults.clockSkewSeconds = 0;
    const unskewed = await signIn("demo", "demo", "demo");
    expect(Math.abs(unskewed.claims.iat! - Date.now() / 1000)).toBeLessThan(10);
  });
});
