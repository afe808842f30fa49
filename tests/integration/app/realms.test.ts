import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_CLIENT } from "../../support/app";
import { browse, CookieJar, decodeEntities, follow, formOf, textOf } from "../../support/browserless";
import { logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
let app: string;
const acmeClient = { clientId: "acme-portal", clientSecret: "acme-secret" };

beforeAll(async () => {
  stack = await startStack({
    realms: ["demo", "acme"],
    realmClients: { acme: acmeClient },
    oidcProviders: [{ name: "partner", label: "Partner SSO", endSession: false }],
    // The IdP goes down moments after its last answer; the default window would trust that answer (decision 011).
    env: { IDP_CONTACT_WINDOW_MS: "0" },
  });
  app = stack.app.url;
});
afterAll(() => stack?.stop());

async function startLogin(jar: CookieJar, realm: string) {
  const response = await browse(jar, `${app}/auth/${realm}/login`);
  expect(response.status).toBe(302);
  return {
    authorizeUrl: new URL(response.headers.get("location")!),
    page: await follow(jar, response, app, stack.idp.url),
  };
}

async function signIn(jar: CookieJar, page: { url: string; html?: string }) {
  const { action } = formOf(page.html!, page.url);
  return (
    await follow(
      jar,
      await browse(jar, action, { form: { username: "demo", password: "demo" } }),
      action,
      stack.idp.url,
    )
  ).url;
}

const session = (jar: CookieJar) => sessionIn(jar, app);
const headingOf = (html: string) => textOf(/<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? "").trim();

describe("several realms and a generic provider", () => {
  it("offers a picker at /login that keeps returnTo", async () => {
    const response = await fetch(`${app}/login?returnTo=%2Faccount`);
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const name of ["demo", "acme", "partner"]) {
      expect(html).toContain(`href="/auth/${name}/login?returnTo=%2Faccount"`);
    }
    expect(textOf(html)).toContain("Partner SSO");
  });

  it("answers 50 concurrent /healthz?deep=1 with at most one discovery fetch per provider", async () => {
    stack.idp.clearRequests();
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${app}/healthz?deep=1`)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ status: "ok", providers: { demo: "ok", acme: "ok", partner: "ok" } });
    }
    const discoveryFetches = (realm: string) =>
      stack.idp.requests.filter(
        (request) => request.realm === realm && request.path.endsWith("/.well-known/openid-configuration"),
      ).length;
    for (const realm of ["demo", "acme", "partner"]) expect(discoveryFetches(realm)).toBeLessThanOrEqual(1);
  });

  it("never puts a returnTo in the picker's links that dot segments turn into another origin", async () => {
    for (const returnTo of ["/..//evil.test", "/a/..//evil.test/account", "/%2e%2e//evil.test"]) {
      const html = await (await fetch(`${app}/login?${new URLSearchParams({ returnTo })}`)).text();
      const hrefs = [...html.matchAll(/href="(\/auth\/[^"]+)"/g)].map(([, href]) => href!.replaceAll("&amp;", "&"));
      expect(hrefs).toEqual(["/auth/demo/login", "/auth/acme/login", "/auth/partner/login"]);
    }
  });

  it("logs in to acme with acme's client and logs out at acme's end-session endpoint", async () => {
    const jar = new CookieJar();
    const { authorizeUrl, page } = await startLogin(jar, "acme");
    expect(authorizeUrl.href.startsWith(`${stack.idp.issuer("acme")}/protocol/openid-connect/auth?`)).toBe(true);
    expect(authorizeUrl.searchParams.get("client_id")).toBe("acme-portal");
    expect((await browse(jar, await signIn(jar, page))).status).toBe(302);

    const { idToken, user } = (await session(jar))!;
    expect(user.realm).toBe("acme");
    expect(textOf(await (await browse(jar, `${app}/account`)).text())).toMatch(/Signed in as demo \(\s*acme\s*\)/);

    const logout = await browse(jar, `${app}/logout`, { form: {} });
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.headers.get("location")!);
    expect(endSession.origin + endSession.pathname).toBe(`${stack.idp.issuer("acme")}/protocol/openid-connect/logout`);
    expect(Object.fromEntries(endSession.searchParams)).toEqual({
      id_token_hint: idToken,
      client_id: "acme-portal",
      post_logout_redirect_uri: `${app}/logout/callback`,
      state: expect.any(String),
    });
  });

  it("keeps two logins in progress in two tabs apart", async () => {
    const jar = new CookieJar();
    const demo = await startLogin(jar, "demo");
    const acme = await startLogin(jar, "acme");
    const acmeCallback = await signIn(jar, acme.page);
    expect((await browse(jar, acmeCallback)).status).toBe(302);
    expect((await session(jar))!.user.realm).toBe("acme");
    // The demo tab finishes later: its own state cookie is still there.
    const demoCallback = await signIn(jar, demo.page);
    expect((await browse(jar, demoCallback)).status).toBe(302);
    expect((await session(jar))!.user.realm).toBe("demo");
  });

  it("refuses a callback of one realm carrying another realm's answer", async () => {
    const jar = new CookieJar();
    const acme = await startLogin(jar, "acme");
    const acmeCallback = new URL(await signIn(jar, acme.page));
    const crossed = await browse(jar, `${app}/auth/demo/callback${acmeCallback.search}`);
    expect(crossed.status).toBe(400);
    expect(await session(jar)).toBeNull();
  });

  it("logs out locally from a provider without end_session_endpoint, and says so", async () => {
    const jar = new CookieJar();
    const { page } = await startLogin(jar, "partner");
    expect((await browse(jar, await signIn(jar, page))).status).toBe(302);
    expect((await session(jar))!.user.realm).toBe("partner");

    const logout = await follow(jar, await browse(jar, `${app}/logout`, { form: {} }), app, app);
    expect(logout.response.status).toBe(200);
    expect(textOf(logout.html!)).toContain("Your identity provider, Partner SSO, does not offer single logout");
    expect(textOf(logout.html!)).not.toContain("Signed in as");
    expect(await session(jar)).toBeNull();
  });

  it("shows a generic provider on /account as a provider, by its label; a Keycloak realm as a realm", async () => {
    for (const [name, shown, notShown] of [
      ["partner", "Provider Partner SSO (partner)", "Realm"],
      ["demo", "Realm demo", "Provider"],
    ] as const) {
      const jar = new CookieJar();
      const { page } = await startLogin(jar, name);
      expect((await browse(jar, await signIn(jar, page))).status).toBe(302);
      const account = textOf(await (await browse(jar, `${app}/account`)).text());
      expect(account).toContain(`Email demo@example.com ${shown} Session started`);
      expect(account).not.toContain(` ${notShown} `);
    }
  });

  it.each([
    { from: "the default realm demo", realm: "demo", status: 200, heading: "Administration" },
    { from: "realm acme", realm: "acme", status: 403, heading: "You do not have access to this page" },
    {
      from: "the generic provider partner",
      realm: "partner",
      status: 403,
      heading: "You do not have access to this page",
    },
  ])(
    "lets a user whose access token carries realm_access.roles admin into /admin only from the default realm: from $from, $status",
    async ({ realm, status, heading }) => {
      const jar = new CookieJar();
      await logInOverHttp(jar, { app, idp: stack.idp.url, realm });
      // The same user in each of the IdP's realms: the same Keycloak-shaped roles in each access token.
      expect(decodeJwt((await session(jar))!.tokens!.accessToken).realm_access).toEqual({ roles: ["admin"] });
      const page = await browse(jar, `${app}/admin`);
      expect(page.status).toBe(status);
      expect(headingOf(await page.text())).toBe(heading);
    },
  );

  it("names roles by their realm on /account outside the default realm, and reads none from a generic provider", async () => {
    for (const [realm, shown] of [
      [
        "demo",
        "issued by the app's default realm demo: realm roles by name, this app's client roles as app: role. " +
          "admin app:editor account:manage-account account:view-profile",
      ],
      [
        "acme",
        "named after your realm acme, which is not the app's default realm: realm roles as acme/ role, " +
          "this app's client roles as acme/app: role. A page that asks for a role by name alone asks for the default realm's. " +
          "acme/admin acme/app:editor acme/account:manage-account acme/account:view-profile",
      ],
      [
        "partner",
        "The app reads roles only from Keycloak realms' access tokens, and Partner SSO is another identity provider. " +
          "You have no roles in this app.",
      ],
    ] as const) {
      const jar = new CookieJar();
      await logInOverHttp(jar, { app, idp: stack.idp.url, realm });
      expect(decodeEntities(textOf(await (await browse(jar, `${app}/account`)).text()))).toContain(shown);
    }
  });

  it("names the provider that cannot be reached on the login page", async () => {
    stack.idp.faults.down = true;
    try {
      const response = await browse(new CookieJar(), `${app}/auth/partner/login`);
      expect(response.status).toBe(503);
      const text = textOf(await response.text());
      expect(text).toContain("The identity provider is unreachable");
      expect(text).toContain("We could not reach Partner SSO. Please try again in a moment.");
    } finally {
      stack.idp.faults.down = false;
    }
  });

  it("uses the shared client for realms without their own", async () => {
    const { authorizeUrl } = await startLogin(new CookieJar(), "demo");
    expect(authorizeUrl.searchParams.get("client_id")).toBe(TEST_CLIENT.clientId);
  });
});
