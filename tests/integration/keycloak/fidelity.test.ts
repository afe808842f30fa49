// The same probes against the dev IdP and real Keycloak: where they answer
// alike, and each difference docs/KEYCLOAK-COMPAT.md lists (so the list stays true).
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { startKeycloakStack, type KeycloakStack } from "../../support/keycloak";
import { logInAtKeycloak } from "../../support/keycloak-login";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

type Target = "keycloak" | "dev";
let stacks: { keycloak: KeycloakStack; dev: Stack };
beforeAll(async () => {
  stacks = { keycloak: await startKeycloakStack(), dev: await startStack() };
});
afterAll(async () => {
  await Promise.all([stacks?.keycloak.stop(), stacks?.dev.stop()]);
});

const realm = (target: Target) => `${stacks[target].idp.url}/realms/demo`;
const oidc = (target: Target, path: string) => `${realm(target)}/protocol/openid-connect/${path}`;
const app = (target: Target) => stacks[target].app.url;

async function idTokenOf(target: Target, username = "demo") {
  const jar = new CookieJar();
  if (target === "keycloak")
    await logInAtKeycloak(jar, { app: app(target), keycloak: stacks.keycloak.idp.url, username });
  else await logInOverHttp(jar, { app: app(target), idp: stacks.dev.idp.url, username });
  return (await sessionIn(jar, app(target)))!.idToken;
}

/** Status, redirect and visible text of an answer. */
async function answer(url: string) {
  const response = await fetch(url, { redirect: "manual" });
  const body = await response.text();
  return { status: response.status, location: response.headers.get("location"), body, text: textOf(body) };
}

describe.each(["keycloak", "dev"] as const)("what the dev IdP and Keycloak answer alike (%s)", (target) => {
  it("an ID token with Keycloak's profile claims, typed alike, and sid", async () => {
    const claims = decodeJwt(await idTokenOf(target));
    expect(claims).toMatchObject({
      iss: realm(target),
      aud: "remix-app",
      azp: "remix-app",
      typ: "ID",
      preferred_username: "demo",
      name: "Demo User",
      given_name: "Demo",
      family_name: "User",
      email: "demo@example.com",
      email_verified: true,
      sub: expect.any(String),
      sid: expect.any(String),
      nonce: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
      auth_time: expect.any(Number),
    });
    // Five minutes; Keycloak computes both from milliseconds, so the difference in whole seconds is 299 or 300.
    expect(claims.exp! - claims.iat!).toBeGreaterThanOrEqual(299);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
  });

  it("big's groups: the same 60 full paths", async () => {
    const groups = decodeJwt(await idTokenOf(target, "big")).groups as string[];
    expect(groups).toHaveLength(60);
    for (const group of groups) expect(group).toMatch(/^\/organisation\/department-\d\d\/team-[0-9a-f]{40}$/);
  });

  it.each([
    [
      "an unknown realm",
      () => answer(`${stacks[target].idp.url}/realms/nope/.well-known/openid-configuration`),
      { status: 404, json: { error: "Realm does not exist" } },
    ],
    [
      "an id_token_hint that is not one",
      () => answer(`${oidc(target, "logout")}?id_token_hint=abc.def.ghi`),
      { status: 400, message: "Invalid parameter: id_token_hint" },
    ],
    [
      "post_logout_redirect_uri without hint or client_id",
      () => answer(`${oidc(target, "logout")}?post_logout_redirect_uri=${encodeURIComponent(`${app(target)}/`)}`),
      { status: 400, message: "Missing parameters: id_token_hint" },
    ],
    [
      "a post_logout_redirect_uri the client does not list",
      () =>
        answer(
          `${oidc(target, "logout")}?client_id=remix-app&post_logout_redirect_uri=${encodeURIComponent("http://evil.example/")}`,
        ),
      { status: 400, message: "Invalid redirect uri" },
    ],
    [
      "a redirect_uri the client does not list (login)",
      () =>
        answer(
          `${oidc(target, "auth")}?client_id=remix-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent("http://evil.example/")}`,
        ),
      { status: 400, message: "Invalid parameter: redirect_uri" },
    ],
  ])("answers %s alike", async (_what, probe, expected) => {
    const { status, body, text } = await probe();
    expect(status).toBe(expected.status);
    if ("json" in expected) expect(JSON.parse(body)).toMatchObject(expected.json);
    if ("message" in expected) expect(text).toContain(expected.message);
  });
});

describe("what differs, each listed in docs/KEYCLOAK-COMPAT.md", () => {
  const both = async <T>(probe: (target: Target) => Promise<T>) => ({
    keycloak: await probe("keycloak"),
    dev: await probe("dev"),
  });

  it("a wrong client secret: 401 unauthorized_client at Keycloak, 401 invalid_client at the dev IdP", async () => {
    const probe = async (target: Target) => {
      const response = await fetch(oidc(target, "token"), {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from("remix-app:wrong-secret").toString("base64")}` },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: "x",
          redirect_uri: `${app(target)}/auth/demo/callback`,
        }),
      });
      return { status: response.status, error: ((await response.json()) as { error: string }).error };
    };
    expect(await both(probe)).toEqual({
      keycloak: { status: 401, error: "unauthorized_client" },
      dev: { status: 401, error: "invalid_client" },
    });
  });

  it("an authorization request without PKCE: refused by both, in other words", async () => {
    const probe = async (target: Target) => {
      const url = `${oidc(target, "auth")}?client_id=remix-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${app(target)}/auth/demo/callback`)}`;
      const { status, location } = await answer(url);
      const params = new URL(location!).searchParams;
      return { status, error: params.get("error"), description: params.get("error_description") };
    };
    expect(await both(probe)).toEqual({
      keycloak: { status: 302, error: "invalid_request", description: "Missing parameter: code_challenge_method" },
      dev: {
        status: 303,
        error: "invalid_request",
        description: "Authorization Server policy requires PKCE to be used for this request",
      },
    });
  });

  it("a 20,000-byte end-session URL: accepted by Keycloak (limit 32,779), 431 from the dev IdP (Node's 16 KiB header limit)", async () => {
    const probe = async (target: Target) =>
      (await answer(`${oidc(target, "logout")}?ui_locales=${"a".repeat(20_000)}`)).status;
    expect(await both(probe)).toEqual({ keycloak: 200, dev: 431 });
  });

  it("the legacy redirect_uri at logout: ignored by Keycloak (no way back to the app), refused by the dev IdP", async () => {
    const probe = async (target: Target) => {
      const { status, text } = await answer(
        `${oidc(target, "logout")}?client_id=remix-app&redirect_uri=${encodeURIComponent(`${app(target)}/`)}`,
      );
      return {
        status,
        asks: text.includes("Do you want to log out?"),
        refuses: text.includes("Invalid parameter: redirect_uri"),
      };
    };
    // Keycloak before 26 refused it as the dev IdP does.
    const keycloak =
      (await stacks.keycloak.admin.majorVersion()) >= 26
        ? { status: 200, asks: true, refuses: false }
        : { status: 400, asks: false, refuses: true };
    expect(await both(probe)).toEqual({ keycloak, dev: { status: 400, asks: false, refuses: true } });
  });

  it("ID token extras: Keycloak adds jti, at_hash, acr and a typ header", async () => {
    const probe = async (target: Target) => {
      const token = await idTokenOf(target);
      return {
        extras: ["jti", "at_hash", "acr"].filter((claim) => claim in decodeJwt(token)),
        typ: decodeProtectedHeader(token).typ,
      };
    };
    expect(await both(probe)).toEqual({
      keycloak: { extras: ["jti", "at_hash", "acr"], typ: "JWT" },
      dev: { extras: [], typ: undefined },
    });
  });

  it("the JWKS: Keycloak also publishes an encryption key (use enc, RSA-OAEP)", async () => {
    const probe = async (target: Target) => {
      const { keys } = (await (await fetch(oidc(target, "certs"))).json()) as { keys: { use: string; alg: string }[] };
      return keys.map((key) => `${key.use}:${key.alg}`).sort();
    };
    expect(await both(probe)).toEqual({ keycloak: ["enc:RSA-OAEP", "sig:RS256"], dev: ["sig:RS256"] });
  });

  it("login-page cookies: Keycloak's are Secure and SameSite=None even over http, the dev IdP's SameSite=Lax", async () => {
    const probe = async (target: Target) => {
      const jar = new CookieJar();
      const login = await browse(jar, `${app(target)}/auth/demo/login`);
      const idpPage = await fetch(login.headers.get("location")!, { redirect: "manual" });
      return idpPage.headers.getSetCookie().map((cookie) => {
        const attributes = cookie.toLowerCase();
        return {
          name: cookie.slice(0, cookie.indexOf("=")),
          secure: /;\s*secure/.test(attributes),
          sameSite: /samesite=(\w+)/.exec(attributes)?.[1],
        };
      });
    };
    const { keycloak, dev } = await both(probe);
    expect(keycloak.map((cookie) => cookie.name)).toContain("AUTH_SESSION_ID");
    // Before 26, Keycloak adds AUTH_SESSION_ID_LEGACY (no SameSite, for old browsers), and KC_RESTART is neither Secure nor SameSite.
    const modern = (await stacks.keycloak.admin.majorVersion()) >= 26;
    for (const { name, ...cookie } of keycloak) {
      if (modern || name === "AUTH_SESSION_ID") expect(cookie, name).toEqual({ secure: true, sameSite: "none" });
    }
    for (const { name: _name, ...cookie } of dev) expect(cookie).toEqual({ secure: false, sameSite: "lax" });
  });

  it("a logout with a valid hint: Keycloak redirects at once, the dev IdP shows a page that submits itself", async () => {
    const probe = async (target: Target) => {
      const jar = new CookieJar();
      if (target === "keycloak") await logInAtKeycloak(jar, { app: app(target), keycloak: stacks.keycloak.idp.url });
      else await logInOverHttp(jar, { app: app(target), idp: stacks.dev.idp.url });
      const { idToken } = (await sessionIn(jar, app(target)))!;
      const url = `${oidc(target, "logout")}?id_token_hint=${idToken}&post_logout_redirect_uri=${encodeURIComponent(`${app(target)}/logout/callback`)}`;
      const response = await browse(jar, url);
      return {
        status: response.status,
        page:
          response.status === 200
            ? textOf(await response.text()).includes("If you are not redirected automatically")
            : false,
      };
    };
    expect(await both(probe)).toEqual({ keycloak: { status: 302, page: false }, dev: { status: 200, page: true } });
  });
});
