// What `npm run dev` prints per authentication event: a short line a person
// reads, where production writes JSON (tests/integration/app/production.test.ts).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../../support/app";

let app: RunningApp;
/** Stands in for `remix dev`, which remix-serve tells that it is ready when NODE_ENV is development. */
const devServer = http.createServer((req, res) => req.resume().on("end", () => res.end()));

beforeAll(async () => {
  await new Promise<void>((resolve) => devServer.listen(0, "127.0.0.1", resolve));
  const devOrigin = `http://127.0.0.1:${(devServer.address() as AddressInfo).port}`;
  // No IdP is needed: an unknown provider is refused before any is called.
  const env = {
    NODE_ENV: "development",
    REMIX_DEV_ORIGIN: devOrigin,
    KEYCLOAK_URL: "http://127.0.0.1:1",
    KEYCLOAK_REALM: "demo",
  };
  app = await startApp({ port: await freePort(), env });
});
afterAll(async () => {
  await app?.stop();
  devServer.closeAllConnections();
  await new Promise((resolve) => devServer.close(resolve));
});

describe("the log in development", () => {
  it("is one readable line per auth event, not JSON", async () => {
    const before = app.output().length;
    expect((await fetch(`${app.url}/auth/nope/login`)).status).toBe(404);
    await expect
      .poll(() => app.output().slice(before))
      .toMatch(/^\d\d:\d\d:\d\d login_failed -: failure code=unknown_provider detail=no strategy named "nope"$/m);
    expect(app.output().slice(before)).not.toContain('{"time"');
  });
});
