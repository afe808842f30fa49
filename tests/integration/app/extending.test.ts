// Runs the docs/EXTENDING.md example for real: a provider customised in code,
// passed to createAuth({ strategies }), logging in and out against the embedded IdP.
// The auth layer runs in this process (no Remix server): routes only call it.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, parseConfig } from "~/auth/index.server";
import { remix } from "~/auth/frameworks/remix.server";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { PartnerStrategy } from "../../../docs/examples/partner-strategy.server";
import { createPartnerAuthenticator } from "../../../docs/examples/standalone-strategy.server";
import { TEST_CLIENT, TEST_SESSION_SECRET } from "../../support/app";
import { browse, button, CookieJar, follow, formOf } from "../../support/browserless";

const APP = "http://localhost:3999";
let idp: Awaited<ReturnType<typeof startIdp>>;

beforeAll(async () => {
  idp = await startIdp({
    realms: {
      demo: { clients: [] },
      partner: {
        clients: [appClient(APP, "partner", TEST_CLIENT)],
      },
      // A provider whose ID tokens carry only sub, as OpenID Connect Core 5.4 has it.
      plain: {
        clients: [{ ...TEST_CLIENT, redirectUris: [`${APP}/auth/partner/callback`], postLogoutRedirectUris: [] }],
        personality: { profileInIdToken: false },
      },
    },
  });
});
afterAll(() => idp?.close());

const request = (jar: CookieJar, url: string, init: RequestInit = {}) =>
  new Request(url, { ...init, headers: { cookie: jar.header(url), ...init.headers } });

describe("a provider added in code, as docs/EXTENDING.md shows", () => {
  it("logs in and out through the custom strategy", async () => {
    // The registration the docs describe, in app/auth.server.ts:
    const config = parseConfig({
      APP_URL: APP,
      KEYCLOAK_URL: idp.url,
      KEYCLOAK_REALM: "demo",
      KEYCLOAK_CLIENT_ID: "unused",
      SESSION_SECRET: TEST_SESSION_SECRET,
      OIDC_PROVIDERS: "partner",
      OIDC_PROVIDER_PARTNER_ISSUER: idp.issuer("partner"),
      OIDC_PROVIDER_PARTNER_CLIENT_ID: TEST_CLIENT.clientId,
      OIDC_PROVIDER_PARTNER_CLIENT_SECRET: TEST_CLIENT.clientSecret,
    });
    const { startLogin, completeLogin, logout, getUser } = createAuth(config, {
      framework: remix,
      strategies: { partner: (options, verify) => new PartnerStrategy(options, verify) },
      log: () => {},
    });
    const jar = new CookieJar();

    const start = (await startLogin(request(jar, `${APP}/auth/partner/login`), "partner")) as Response;
    jar.store(APP, start);
    const authorize = new URL(start.headers.get("location")!);
    expect(authorize.origin + authorize.pathname).toBe(`${idp.issuer("partner")}/protocol/openid-connect/auth`);
    expect(authorize.searchParams.get("prompt")).toBe("login");

    const loginPage = await follow(jar, await browse(jar, authorize.href), authorize.href, idp.url);
    const { action } = formOf(loginPage.html!, loginPage.url);
    const signedIn = await follow(
      jar,
      await browse(jar, action, { form: { username: "demo", password: "demo" } }),
      action,
      idp.url,
    );
    expect(signedIn.url.startsWith(`${APP}/auth/partner/callback?`)).toBe(true);

    const callback = (await completeLogin(request(jar, signedIn.url), "partner")) as Response;
    expect(callback.status).toBe(302);
    jar.store(APP, callback);
    expect(await getUser(request(jar, `${APP}/`))).toMatchObject({ realm: "partner", username: "demo@example.com" });

    const ended = (await logout(request(jar, `${APP}/logout`, { method: "POST" }))) as Response;
    jar.store(APP, ended);
    const endSession = new URL(ended.headers.get("location")!);
    expect(endSession.origin + endSession.pathname).toBe(`${idp.issuer("partner")}/protocol/openid-connect/logout`);
    expect(endSession.searchParams.get("ui_locales")).toBe("de");
    expect(await getUser(request(jar, `${APP}/`))).toBeNull();

    const logoutPage = await follow(jar, ended, APP, idp.url);
    const form = formOf(logoutPage.html!, logoutPage.url);
    const fields = { ...form.fields, ...button(logoutPage.html!, "Continue") };
    const back = await follow(jar, await browse(jar, form.action, { form: fields }), form.action, idp.url);
    expect(back.url).toBe(`${APP}/logout/callback?state=${endSession.searchParams.get("state")}`);
    const received = idp.requests.find((r) => r.realm === "partner" && r.path.endsWith("/logout"));
    expect(received?.query).toMatchObject({ ui_locales: "de", client_id: TEST_CLIENT.clientId });
  });

  it("logs in through the strategy used on its own, the profile read from userinfo", async () => {
    process.env.PARTNER_CLIENT_SECRET = TEST_CLIENT.clientSecret;
    const { authenticator } = await createPartnerAuthenticator(idp.issuer("plain"), APP);
    const jar = new CookieJar();

    const start = await authenticator
      .authenticate("partner", request(jar, `${APP}/auth/partner/login`))
      .catch((thrown: unknown) => thrown);
    expect(start).toBeInstanceOf(Response);
    jar.store(APP, start as Response);
    expect(jar.names(`${APP}/auth/partner/callback`)).toEqual(["partner-login"]);
    const authorize = (start as Response).headers.get("location")!;
    const loginPage = await follow(jar, await browse(jar, authorize), authorize, idp.url);
    const { action } = formOf(loginPage.html!, loginPage.url);
    const signedIn = await follow(
      jar,
      await browse(jar, action, { form: { username: "demo", password: "demo" } }),
      action,
      idp.url,
    );

    idp.clearRequests();
    const user = await authenticator.authenticate("partner", request(jar, signedIn.url));
    expect(user).toMatchObject({ sub: expect.any(String), name: "Demo User" });
    const asked = idp.requests.map((r) => r.path.split("/").pop());
    expect(asked.filter((path) => path === "userinfo")).toHaveLength(1);
  });

  it("is the code docs/EXTENDING.md shows", () => {
    const docs = readFileSync(new URL("../../../docs/EXTENDING.md", import.meta.url), "utf8");
    for (const name of ["partner-strategy.server.ts", "standalone-strategy.server.ts"]) {
      const example = readFileSync(new URL(`../../../docs/examples/${name}`, import.meta.url), "utf8");
      expect(docs).toContain(example.trim());
    }
    expect(docs).toContain("strategies: { partner: (options, verify) => new PartnerStrategy(options, verify) },");
  });
});
