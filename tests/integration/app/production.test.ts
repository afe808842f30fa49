// `npm run build && npm start` as a deployment runs it: a real process on a real port.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startApp, TEST_CLIENT, type RunningApp } from "../../support/app";
import { generateKeyPairSync } from "node:crypto";
import { request as httpRequest } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { continueIdpLogout, reachCallback } from "../../support/login";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";

let idp: Awaited<ReturnType<typeof startIdp>>;
let app: RunningApp;

beforeAll(async () => {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  idp = await startIdp({
    realms: {
      demo: {
        clients: [appClient(url, "demo", TEST_CLIENT)],
      },
    },
  });
  app = await startApp({ port, env: { KEYCLOAK_URL: idp.url, KEYCLOAK_REALM: "demo" }, viaNpm: true });
});
afterAll(async () => {
  await app?.stop();
  await idp?.close();
});

describe("npm start in production", () => {
  it("logs in and out against the IdP; every auth log line carries the proxy's request id, or one of ours", async () => {
    const jar = new CookieJar();
    const callbackUrl = await reachCallback(jar, { app: app.url, idp: idp.url });
    const callback = await browse(jar, callbackUrl, { headers: { "X-Request-Id": "proxy-id-1.2:3" } });
    expect(callback.status).toBe(302);
    const authLines = () =>
      app
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line));
    expect(authLines()).toContainEqual(
      expect.objectContaining({ event: "login", outcome: "success", requestId: "proxy-id-1.2:3" }),
    );

    // A malformed id (too long, or with other characters) is replaced by one of ours, also sent back.
    const logout = await browse(jar, `${app.url}/logout`, {
      form: {},
      headers: { "X-Request-Id": `${"x".repeat(60)} <script>` },
    });
    expect(logout.status).toBe(302);
    const ours = logout.headers.get("x-request-id")!;
    expect(ours).toMatch(/^[0-9a-f-]{36}$/);
    expect(authLines()).toContainEqual(
      expect.objectContaining({ event: "logout", outcome: "redirect_to_idp", requestId: ours }),
    );
    expect(app.output()).not.toContain("<script>");
    // Pages send the proxy's id back.
    expect((await fetch(`${app.url}/`, { headers: { "X-Request-Id": "page-id-7" } })).headers.get("x-request-id")).toBe(
      "page-id-7",
    );

    const endSession = logout.headers.get("location")!;
    const idpPage = await follow(jar, logout, app.url, idp.url);
    expect((await browse(jar, await continueIdpLogout(jar, idpPage, idp.url))).status).toBe(200);
    const idToken = new URL(endSession).searchParams.get("id_token_hint")!;
    expect(app.output()).not.toContain(idToken);
    // remix-serve's access log prints whole URLs: the callback's code appears there once, already
    // redeemed (docs/SECURITY.md); never in the app's own lines.
    const code = new URL(callbackUrl).searchParams.get("code")!;
    expect(
      app
        .output()
        .split("\n")
        .filter((line) => line.includes(code)),
    ).toEqual([expect.stringMatching(/^GET \/auth\/demo\/callback\?/)]);
  });

  it("writes no stack trace for a 404, and no error line at all", async () => {
    const before = app.output().length;
    const response = await fetch(`${app.url}/no-such-page`);
    expect(response.status).toBe(404);
    expect(textOf(await response.text())).toContain("Page not found");
    await expect.poll(() => app.output().slice(before)).toMatch(/GET \/no-such-page 404/);
    expect(app.output().slice(before)).not.toMatch(/Error|\n\s+at /);
  });

  it("writes one line, no stack trace, for Remix's own refusal of a cross-site POST to a page (measured: its 500, before any app code)", async () => {
    const before = app.output().length;
    const response = await fetch(`${app.url}/account`, {
      method: "POST",
      headers: { Origin: "https://evil.example" },
      body: "a=1",
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("");
    await expect.poll(() => app.output().slice(before)).toMatch(/POST \/account 500/);
    const lines = app
      .output()
      .slice(before)
      .split("\n")
      .filter((line) => line.startsWith("{"));
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ event: "cross_origin_form_refused", path: "/account" }),
    ]);
    expect(app.output().slice(before)).not.toMatch(/\n\s+at /);
  });

  it("never lets a malformed Host reach the app: remix-serve's adapter answers 500 before it (measured; DEPLOY.md)", async () => {
    const before = app.output().length;
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: "127.0.0.1", port: app.port, path: "/", headers: { host: "bad host" } },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      );
      request.on("error", reject);
      request.end();
    });
    expect(status).toBe(500);
    await expect.poll(() => app.output().slice(before)).toContain("createRemixRequest");
    // Nothing of the app ran: no render, no auth line.
    expect(app.output().slice(before)).not.toMatch(/^\{/m);
  });

  it("sends each page whole, encoded as the browser asks, with its length (app/page-encoding.server.ts)", async () => {
    const raw = (headers: Record<string, string>, method = "GET") =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
        (resolve, reject) => {
          const request = httpRequest({ host: "127.0.0.1", port: app.port, path: "/", method, headers }, (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () =>
              resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
            );
          });
          request.on("error", reject);
          request.end();
        },
      );
    const heading = "Keycloak login and logout in Remix";
    const decoders: Record<string, (body: Buffer) => Buffer> = {
      "gzip, deflate, br, zstd": gunzipSync,
      br: brotliDecompressSync,
      identity: (body) => body,
    };
    for (const [acceptEncoding, decode] of Object.entries(decoders)) {
      const page = await raw({ "Accept-Encoding": acceptEncoding });
      expect(page.status).toBe(200);
      expect(page.headers["content-encoding"]).toBe(
        { "gzip, deflate, br, zstd": "gzip", br: "br", identity: undefined }[acceptEncoding],
      );
      expect(page.headers["content-length"]).toBe(String(page.body.length));
      expect(page.headers["transfer-encoding"]).toBeUndefined();
      expect(page.headers.vary).toMatch(/Accept-Encoding/i);
      expect(decode(page.body).toString("utf8")).toContain(heading);
    }
    const head = await raw({ "Accept-Encoding": "gzip" }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-encoding"]).toBe("gzip");
    expect(head.body.length).toBe(0);
  });

  it("sends the security headers on every page", async () => {
    const home = await fetch(`${app.url}/`);
    const csp = home.headers.get("content-security-policy")!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toContain(`form-action 'self' ${idp.url}`);
    expect(home.headers.get("x-frame-options")).toBe("DENY");
    expect(home.headers.get("x-content-type-options")).toBe("nosniff");
    expect(home.headers.get("referrer-policy")).toBe("same-origin");
    expect(home.headers.get("cache-control")).toBe("no-store");
    // Every inline script carries this response's nonce.
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const scripts = [...(await home.text()).matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts)
      expect(attributes.includes(`nonce="${nonce}"`) || /\bsrc=/.test(attributes)).toBe(true);

    const authPage = await fetch(`${app.url}/auth/nope/login`);
    expect(authPage.status).toBe(404);
    expect(authPage.headers.get("referrer-policy")).toBe("no-referrer");
    expect(authPage.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);

    const asset = /href="(\/build\/[^"]+\.css)"/.exec(await (await fetch(`${app.url}/`)).text())![1];
    expect((await fetch(`${app.url}${asset}`)).headers.get("cache-control")).toMatch(/immutable/);
  });

  it("answers /healthz without the IdP, and /healthz?deep=1 with it", async () => {
    idp.faults.down = true;
    try {
      const shallow = await fetch(`${app.url}/healthz`);
      expect(shallow.status).toBe(200);
      expect(await shallow.json()).toEqual({ status: "ok" });
      const deep = await fetch(`${app.url}/healthz?deep=1`);
      expect(deep.status).toBe(503);
      expect(await deep.json()).toEqual({ status: "unavailable", providers: { demo: "unreachable" } });
    } finally {
      idp.faults.down = false;
    }
    // The failed check answers for a few seconds (no amplifier), then a new one sees the IdP again.
    await expect
      .poll(async () => (await fetch(`${app.url}/healthz?deep=1`)).json(), { timeout: 20_000, interval: 500 })
      .toEqual({ status: "ok", providers: { demo: "ok" } });
  });
});

describe("start-up refusals", () => {
  const good = { KEYCLOAK_URL: "http://127.0.0.1:1", KEYCLOAK_REALM: "demo" };
  const clientKeyWithKid = (kid: string) =>
    JSON.stringify({ ...generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }), kid });
  it.each([
    ["KEYCLOAK_URL missing", { KEYCLOAK_REALM: "demo" }, ["KEYCLOAK_URL is required"]],
    ["SESSION_SECRET missing", { ...good, SESSION_SECRET: "" }, ["SESSION_SECRET is required in production"]],
    [
      "SESSION_SECRET short",
      { ...good, SESSION_SECRET: "too-short" },
      ["SESSION_SECRET: every secret must be at least 32 characters"],
    ],
    [
      "APP_URL not https",
      { ...good, APP_URL: "http://app.example.com" },
      ['APP_URL must be https in production (http only for localhost or 127.0.0.1), got "http://app.example.com"'],
    ],
    ["APP_URL missing", { ...good, APP_URL: "" }, ["APP_URL is required in production"]],
    [
      "SESSION_SECRET long but repetitive (the doctor's rule)",
      { ...good, SESSION_SECRET: "a".repeat(38) },
      ["SESSION_SECRET: a secret is too repetitive"],
    ],
    // remix-serve itself would listen on 3000 (or any free port) without a word.
    ["PORT not a number", { ...good, PORT: "abc" }, ['PORT must be a port number from 1 to 65535, got "abc"']],
    // node-redis would refuse it at the first request; the line names the variable, never its value.
    [
      "REDIS_URL with an unencoded @ in its password, not a URL",
      { ...good, REDIS_URL: "redis://:p@ssw0rd-SECRET-tail@127.0.0.1:port" },
      ["REDIS_URL is not a Redis URL"],
    ],
    // /auth/jwks.json would serve only one of them: the other realm's logins would fail at Keycloak.
    [
      "two client keys under one kid",
      {
        ...good,
        KEYCLOAK_REALMS: "acme",
        KEYCLOAK_CLIENT_PRIVATE_KEY: clientKeyWithKid("app-1"),
        KEYCLOAK_REALM_ACME_CLIENT_PRIVATE_KEY: clientKeyWithKid("app-1"),
      },
      ['KEYCLOAK_REALM_ACME_CLIENT_PRIVATE_KEY has the kid "app-1" of another key, KEYCLOAK_CLIENT_PRIVATE_KEY'],
    ],
    [
      "an empty environment, in one round",
      { KEYCLOAK_URL: "", KEYCLOAK_REALM: "", KEYCLOAK_CLIENT_ID: "", SESSION_SECRET: "", APP_URL: "" },
      [
        "APP_URL is required",
        "KEYCLOAK_URL is required",
        "KEYCLOAK_REALM is required",
        "KEYCLOAK_CLIENT_ID is required",
        "SESSION_SECRET is required",
      ],
    ],
    [
      "several at once",
      { KEYCLOAK_REALM: "demo", SESSION_SECRET: "", APP_URL: "http://app.example.com" },
      ["APP_URL must be https", "KEYCLOAK_URL is required", "SESSION_SECRET is required"],
    ],
  ])("%s: exit code 1 and one line per problem", async (_label, env, lines) => {
    const error = await startApp({ port: await freePort(), env, viaNpm: true }).catch((e: Error) => e);
    if (!(error instanceof Error)) await error.stop(); // it started: stop it before failing
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^app exited with 1:/);
    const problems = message.split("\n").filter((line) => line.startsWith("Configuration error: "));
    expect(problems).toHaveLength(lines.length);
    lines.forEach((line, index) => expect(problems[index]).toContain(line));
    expect(message).not.toContain("ssw0rd");
  });

  it("never starts the embedded dev IdP: the production build does not contain it", async () => {
    const { readFile } = await import("node:fs/promises");
    const build = await readFile(new URL("../../../build/index.js", import.meta.url), "utf8");
    expect(build).not.toContain("oidc-provider");
    expect(build).not.toContain("dev/idp");
  });
});
