// docs/DEPLOY.md's nginx block, run by a real nginx: what it answers on its own.
// The app behind it, in a browser: tests/e2e/nginx-proxy.spec.ts.
import { describe, expect, it } from "vitest";
import { freePort } from "../../support/app";
import { findNginx, startProxy } from "../../support/nginx";

// CI always has nginx (.ci/run fetches it); elsewhere: `node dev/nginx/cli.js`.
describe.skipIf(!findNginx() && !process.env.CI)("DEPLOY.md's nginx config", () => {
  it("redirects plain http to APP_URL, keeping its port, path and query", async () => {
    const [port, redirectPort, appPort] = [await freePort(), await freePort(), await freePort()];
    // APP_URL is https://localhost:<port>: a public URL with a port of its own.
    const proxy = await startProxy({ port, redirectPort, appPort });
    try {
      const response = await fetch(`http://localhost:${redirectPort}/account?tab=roles`, { redirect: "manual" });
      expect(response.status).toBe(301);
      expect(response.headers.get("location")).toBe(`${proxy.url}/account?tab=roles`);
    } finally {
      await proxy.stop();
    }
  });
});
