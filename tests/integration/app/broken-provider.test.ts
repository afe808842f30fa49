// Issue 14.2: a provider whose discovery names an end_session_endpoint that is not http(s).
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, type RunningApp } from "../../support/app";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { encryptedSession } from "../../support/login";

let provider: Server;
let app: RunningApp;

beforeAll(async () => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}/realms/demo`;
  const discovery = {
    issuer,
    authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
    token_endpoint: `${issuer}/protocol/openid-connect/token`,
    jwks_uri: `${issuer}/protocol/openid-connect/certs`,
    end_session_endpoint: "javascript:alert(document.domain)",
  };
  provider = createServer((request, response) => {
    const found = request.url === "/realms/demo/.well-known/openid-configuration";
    response.writeHead(found ? 200 : 404, { "Content-Type": "application/json" });
    response.end(JSON.stringify(found ? discovery : { error: "not found" }));
  });
  await new Promise<void>((resolve) => provider.listen(port, "127.0.0.1", resolve));
  app = await startApp({
    port: await freePort(),
    env: { KEYCLOAK_URL: `http://127.0.0.1:${port}`, KEYCLOAK_REALM: "demo" },
  });
});
afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => provider?.close(resolve));
});

async function signedIn(sid: string | undefined) {
  const user = { realm: "demo", sub: "u1", username: "demo", ...(sid && { sid }) };
  const session = await encryptedSession({ user, idToken: `a.b.${crypto.randomUUID()}`, createdAt: Date.now() / 1000 });
  const jar = new CookieJar();
  jar.store(app.url, new Response(null, { headers: { "set-cookie": `__session=${session}; Path=/` } }));
  return jar;
}

/** Whether the home page shows someone signed in: it needs no API call, so a session without tokens shows there too. */
async function signedInOnHome(cookie: string) {
  const home = await fetch(`${app.url}/`, { headers: { cookie } });
  return (await home.text()).includes('data-testid="username"');
}

describe("a provider whose end_session_endpoint is not an http(s) URL", () => {
  it.each([
    ["with a sid", "sid-broken-1"],
    ["without a sid (its ID token's digest is its id)", undefined],
  ])(
    "still ends the app session at logout, %s, for this browser and for any copy of its cookie",
    async (_label, sid) => {
      const jar = await signedIn(sid);
      const copy = jar.header(app.url);
      expect(await signedInOnHome(copy)).toBe(true);

      const logout = await browse(jar, `${app.url}/logout`, { form: {} });
      expect(logout.status).toBe(303);
      expect(logout.headers.get("location")).toBe("/logout/incomplete?reason=idp_unreachable&realm=demo");
      expect(jar.names(app.url)).toEqual([]);
      const page = await browse(jar, `${app.url}${logout.headers.get("location")}`);
      expect(textOf(await page.text())).toContain(
        "Your session in this app has ended; your session at demo may still be open",
      );
      expect(await signedInOnHome(copy)).toBe(false);
      await expect.poll(() => app.output()).toContain("end_session_endpoint that is not an http(s) URL");
    },
  );

  it("is refused when discovery is read: login shows the unreachable page, never a javascript: URL", async () => {
    const response = await fetch(`${app.url}/auth/demo/login`, { redirect: "manual" });
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(textOf(html)).toContain("The identity provider is unreachable");
    expect(html).not.toContain("javascript:");
  });
});
