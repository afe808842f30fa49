// Property-based: whatever arrives at the callback, in a cookie, or at /logout,
// the answer is a clear 4xx (or the normal page), never a 5xx, never a session.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encrypt } from "~/auth/session/sealed-cookie.server";
import { TEST_SESSION_SECRET } from "../support/app";
import { browse, CookieJar, follow, formOf } from "../support/browserless";
import { encryptedSession } from "../support/login";
import { startStack, type Stack } from "../support/stack";

/** 1,000 cases per property by default; FC_SEED reproduces a failing run (fast-check prints the seed). */
const runs = {
  numRuns: Number(process.env.FC_RUNS ?? 1000),
  seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
};

let stack: Stack;
let app: string;
let stateCookie: string;
let sessionCookie: string;

beforeAll(async () => {
  stack = await startStack();
  app = stack.app.url;
  const jar = new CookieJar();
  // A real login attempt's state cookie, and a real session, to mix into the cases.
  const start = await browse(jar, `${app}/auth/demo/login`);
  stateCookie = start.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("oidc:demo="))!
    .split(";")[0]!;
  const page = await follow(jar, start, app, stack.idp.url);
  const { action } = formOf(page.html!, page.url);
  const done = await follow(
    jar,
    await browse(jar, action, { form: { username: "demo", password: "demo" } }),
    action,
    stack.idp.url,
  );
  await browse(jar, done.url);
  sessionCookie = jar.header(app);
  expect(sessionCookie).toMatch(/^__session=/);
}, 60_000);
afterAll(() => stack?.stop());

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "%00%0d%0aSet-Cookie: x=1",
    "../../etc/passwd",
    "javascript:alert(1)",
    "\u202e\u0000\uffff",
    "",
  ),
  fc.string({ minLength: 2000, maxLength: 6000 }),
);

describe("the callback, given anything", () => {
  it("answers 4xx, never starts a session, and never echoes what it was sent", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Each value carries a marker, so any reflection of it in the page shows, escaped or not.
        fc.array(
          fc.tuple(
            fc.constantFrom("code", "state", "error", "error_description", "iss", "session_state"),
            hostileText.map((text) => `zq9x${text}`),
          ),
          { maxLength: 8 },
        ),
        fc.constantFrom("none", "real state cookie", "garbage cookie", "many cookies"),
        async (params, cookies) => {
          const query = new URLSearchParams(params).toString();
          const cookie = {
            none: "",
            "real state cookie": stateCookie,
            "garbage cookie": `oidc:demo=${encodeURIComponent(params[0]?.[1] ?? "x")}; oidc-return-to=${encodeURIComponent(params[1]?.[1] ?? "x")}`,
            "many cookies": Array.from(
              { length: 50 },
              (_, i) => `oidc:demo:${i}=state%3D${i}; oidc:demo=${i}%3D${i}`,
            ).join("; "),
          }[cookies];
          const response = await fetch(`${app}/auth/demo/callback?${query}`, {
            headers: { cookie },
            redirect: "manual",
          });
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(response.headers.getSetCookie().some((c) => c.startsWith("__session=") && !/Max-Age=0/.test(c))).toBe(
            false,
          );
          // On failure, the surrounding text shows where the value was echoed.
          expect((await response.text()).match(/.{0,160}zq9x.{0,80}/s)?.[0]).toBeUndefined();
        },
      ),
      runs,
    );
  });
});

describe("session cookies, tampered with", () => {
  const sealed = () => sessionCookie.match(/__session=([^;]+)/)![1]!;
  // Encryption is asynchronous: encrypted forgeries are made once, then picked from.
  const encrypted: string[] = [];
  beforeAll(async () => {
    const user = (name: string) => ({ realm: "demo", sub: name, username: name });
    encrypted.push(
      await encryptedSession(
        { user: user("mallory"), idToken: "a.b.c", createdAt: Date.now() / 1000 },
        "a-wrong-secret",
      ),
      await encryptedSession({ user: user("x"), idToken: "x", createdAt: 0 }),
      await encrypt({ user: { realm: "nope", sub: 1 }, idToken: 5 }, TEST_SESSION_SECRET),
      await encrypt({ user: user("x"), idToken: ["{", 1, "x"], createdAt: Date.now() / 1000 }, TEST_SESSION_SECRET),
      await encrypt(
        { user: user("x"), idToken: "a.b.c", createdAt: Date.now() / 1000, tokens: { accessToken: ["{", "}", 5] } },
        TEST_SESSION_SECRET,
      ),
      await encrypt(
        {
          user: user("x"),
          idToken: "a.b.c",
          createdAt: Date.now() / 1000,
          tokens: { accessToken: "t", expiresAt: "soon" },
        },
        TEST_SESSION_SECRET,
      ),
    );
  });
  const forged = fc.oneof(
    fc.nat().map((n) => sealed().slice(0, n % sealed().length)),
    fc.nat().map((n) => encrypted[n % encrypted.length]!),
    fc.string().map((s) => {
      const [header, key, iv, , tag] = sealed().split(".");
      return [header, key, iv, Buffer.from(s).toString("base64url"), tag].join(".");
    }),
    fc.string({ minLength: 4000, maxLength: 12000 }),
    fc.string(),
  );

  it("reads as logged out and clears the cookies, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(forged, fc.integer({ min: 1, max: 20 }), async (value, copies) => {
        const cookie = [
          ...Array.from({ length: copies }, () => `__session=${value}`),
          `__session.1=${value.slice(0, 100)}`,
        ].join("; ");
        const account = await fetch(`${app}/account`, { headers: { cookie }, redirect: "manual" });
        expect([302, 431]).toContain(account.status);
        if (account.status === 302) {
          expect(account.headers.get("location")).toBe("/login?returnTo=%2Faccount");
          expect(account.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=; .*Max-Age=0/));
        }
        const home = await fetch(`${app}/`, { headers: { cookie } });
        expect(home.status).toBeLessThan(500);
        if (home.status === 200) expect(await home.text()).not.toContain("Signed in as");
      }),
      runs,
    );
  });
});

describe("/logout, with any method, body and content type", () => {
  it("changes nothing except by a same-origin POST, and never answers 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "POST"),
        fc.constantFrom(
          "application/x-www-form-urlencoded",
          "application/json",
          "text/plain",
          "multipart/form-data; boundary=x",
          "",
        ),
        fc.oneof(fc.string(), fc.string({ minLength: 10_000, maxLength: 200_000 })),
        fc.constantFrom("https://evil.example", "null", undefined),
        async (method, contentType, body, origin) => {
          const headers: Record<string, string> = { cookie: sessionCookie };
          if (contentType) headers["content-type"] = contentType;
          if (origin) headers.origin = origin;
          const response = await fetch(`${app}/logout`, {
            method,
            headers,
            body: method === "HEAD" || method === "OPTIONS" ? undefined : body,
            redirect: "manual",
          });
          expect(response.status).toBeLessThan(500);
          const loggedOut = response.headers.getSetCookie().some((c) => /^__session=; .*Max-Age=0/.test(c));
          expect(loggedOut).toBe(method === "POST" && origin === undefined);
        },
      ),
      runs,
    );
  });
});
