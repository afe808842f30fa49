// Step-up by `acr_values` on real Keycloak (issue 25.1): a realm of its own with Keycloak's Level of
// Authentication, set up through the admin REST API as an admin would in the console: the realm's ACR map
// `acr.loa.map` = {"silver":1,"gold":2} and a browser flow (cookie, or forms holding two conditional sub-flows:
// level 1 = username and password, level 2 = "Password Form", the password again: a second step a test passes
// without OTP secrets). A plain login is silver; the app's step-up URL (what requireRecentLogin builds) asking gold
// makes Keycloak ask for the password again and the ID token then says gold. Keycloak treats acr_values as
// voluntary: a level it cannot reach is answered with what it reached, and the app refuses that (403, session kept).
import { decodeJwt } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import {
  createRealmFromFile,
  KeycloakAdmin,
  keycloakUrl,
  realmFile,
  startKeycloakStack,
  type KeycloakStack,
} from "../../support/keycloak";
import { logInAtKeycloak } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

const REALM = "loa";
const FLOW = "loa browser";

interface Execution {
  id: string;
  displayName: string;
  providerId?: string;
  requirement: string;
  level: number;
}

/** The step-up browser flow of Keycloak's server administration guide ("Creating a browser login flow with step-up"). */
async function bindLoaBrowserFlow(admin: KeycloakAdmin) {
  const flows = `/${REALM}/authentication/flows`;
  const executions = (flow: string) => admin.get<Execution[]>(`${flows}/${encodeURIComponent(flow)}/executions`);
  const set = async (flow: string, execution: Execution, requirement: string) =>
    admin.request("PUT", `${flows}/${encodeURIComponent(flow)}/executions`, { ...execution, requirement });
  /** Adds an authenticator or a sub-flow to `flow` with `requirement`; returns the new execution. */
  const add = async (flow: string, requirement: string, step: { provider: string } | { alias: string }) => {
    const kind = "provider" in step ? "execution" : "flow";
    const body = "provider" in step ? step : { ...step, type: "basic-flow", description: step.alias };
    await admin.request("POST", `${flows}/${encodeURIComponent(flow)}/executions/${kind}`, body);
    const added = (await executions(flow)).filter(({ level }) => level === 0).at(-1)!;
    await set(flow, added, requirement);
    return added;
  };
  const condition = async (flow: string, level: number) => {
    const { id } = await add(flow, "REQUIRED", { provider: "conditional-level-of-authentication" });
    await admin.request("POST", `/${REALM}/authentication/executions/${id}/config`, {
      alias: `${flow} condition`,
      config: { "loa-condition-level": String(level), "loa-max-age": "36000" },
    });
  };

  await admin.request("POST", flows, { alias: FLOW, providerId: "basic-flow", topLevel: true, builtIn: false });
  await add(FLOW, "ALTERNATIVE", { provider: "auth-cookie" });
  await add(FLOW, "ALTERNATIVE", { alias: "loa forms" });
  await add("loa forms", "CONDITIONAL", { alias: "loa level 1" });
  await condition("loa level 1", 1);
  await add("loa level 1", "REQUIRED", { provider: "auth-username-password-form" });
  await add("loa forms", "CONDITIONAL", { alias: "loa level 2" });
  await condition("loa level 2", 2);
  await add("loa level 2", "REQUIRED", { provider: "auth-password-form" });
  await admin.request("PUT", `/${REALM}`, { realm: REALM, browserFlow: FLOW });
  return executions(FLOW);
}

let stack: KeycloakStack;
let app: string;
let keycloak: string;
let flow: Execution[];
beforeAll(async () => {
  const admin = new KeycloakAdmin(keycloakUrl());
  await createRealmFromFile(admin, REALM, {
    attributes: { ...(realmFile().attributes as object), "acr.loa.map": JSON.stringify({ silver: 1, gold: 2 }) },
  });
  flow = await bindLoaBrowserFlow(admin);
  stack = await startKeycloakStack({ realms: [REALM] });
  app = stack.app.url;
  keycloak = stack.idp.url;
});
afterAll(() => stack?.stop());

const claimsOf = async (jar: CookieJar) => decodeJwt((await sessionIn(jar, app))!.idToken);

/** The app's step-up login URL as requireRecentLogin builds it; returns the authorize URL and Keycloak's answer. */
async function stepUp(jar: CookieJar, query: string) {
  const start = await browse(jar, `${app}/auth/${REALM}/login?${query}&returnTo=%2Faccount`);
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get("location")!);
  return { authorize, page: await follow(jar, start, authorize.href, keycloak) };
}

/** Posts `fields` to the form of Keycloak's page; returns where Keycloak stops. */
async function submit(jar: CookieJar, page: { url: string; html?: string }, fields: Record<string, string>) {
  expect(page.html, `Keycloak answered a redirect to ${page.url}`).toBeDefined();
  const action = /<form\b[^>]*\baction="([^"]+)"/.exec(page.html!)![1]!.replaceAll("&amp;", "&");
  const url = new URL(action, page.url).href;
  return follow(jar, await browse(jar, url, { form: fields }), url, keycloak);
}

const asksPassword = (html = "") => /<input[^>]*\bname="password"/.test(html);
const asksUsername = (html = "") => /<input[^>]*\bname="username"/.test(html);

/** The `acr` of the ID token the app refused for a step-up asking `asked`, from the app's log. */
const refusedAcr = (asked: string) =>
  new RegExp(String.raw`"detail":"acr \\"([^\\]*)\\" is not one of the asked ${asked}"`).exec(stack.app.output())?.[1];

/** Visits the app's callback Keycloak sent the browser to: the app's answer. */
async function callback(jar: CookieJar, url: string) {
  expect(url.startsWith(`${app}/auth/${REALM}/callback?`), url).toBe(true);
  return browse(jar, url);
}

it("Keycloak holds the flow the admin REST API built", () => {
  // Sub-flows have no providerId: their displayName is their alias.
  const steps = flow.map(({ level, providerId, displayName, requirement }) => [
    level,
    providerId ?? displayName,
    requirement,
  ]);
  expect(steps).toEqual([
    [0, "auth-cookie", "ALTERNATIVE"],
    [0, "loa forms", "ALTERNATIVE"],
    [1, "loa level 1", "CONDITIONAL"],
    [2, "conditional-level-of-authentication", "REQUIRED"],
    [2, "auth-username-password-form", "REQUIRED"],
    [1, "loa level 2", "CONDITIONAL"],
    [2, "conditional-level-of-authentication", "REQUIRED"],
    [2, "auth-password-form", "REQUIRED"],
  ]);
});

it("gold asked: Keycloak asks for the password again, the ID token says gold, the browser lands on /account", async () => {
  const jar = new CookieJar();
  await logInAtKeycloak(jar, { app, keycloak, realm: REALM });
  const plain = await claimsOf(jar);
  expect(plain.acr).toBe("silver");

  // requireRecentLogin({ acr: ["gold"] }) with the default STEP_UP_MAX_AGE: the login is recent, the level is not.
  const { authorize, page } = await stepUp(jar, "max_age=300&acr_values=gold");
  expect(authorize.searchParams.get("acr_values")).toBe("gold");
  // Keycloak's "Password Form": the user is the SSO session's, only the password is asked.
  expect(asksPassword(page.html) && !asksUsername(page.html)).toBe(true);
  const done = await submit(jar, page, { password: "demo" });
  const answer = await callback(jar, done.url);
  expect(answer.status).toBe(302);
  expect(answer.headers.get("location")).toBe("/account");
  const gold = await claimsOf(jar);
  expect(gold.acr).toBe("gold");
  expect(gold.sid).toBe(plain.sid);
  expect(textOf(await (await browse(jar, `${app}/account`)).text())).toMatch(/Signed in as demo/);

  // The level lasts for the SSO session (the condition's loa-max-age, 36000 s here): gold again is silent.
  const again = await stepUp(jar, "acr_values=gold");
  expect((await callback(jar, again.page.url)).status).toBe(302);
  expect((await claimsOf(jar)).acr).toBe("gold");

  // Past max_age (10 s, the app's least), gold again: Keycloak re-authenticates level 1 (its username and password
  // form, the username fixed), then asks level 2's password: twice the password.
  const goldAt = Number(gold.auth_time);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, (goldAt + 11) * 1000 - Date.now())));
  const late = await stepUp(jar, "max_age=10&acr_values=gold");
  expect(textOf(late.page.html!)).toContain("Please re-authenticate to continue");
  expect(asksPassword(late.page.html) && !asksUsername(late.page.html)).toBe(true);
  const second = await submit(jar, late.page, { password: "demo" });
  expect(asksPassword(second.html) && !asksUsername(second.html)).toBe(true);
  expect(textOf(second.html!)).not.toMatch(/re-authenticate|Invalid/);
  expect((await callback(jar, (await submit(jar, second, { password: "demo" })).url)).status).toBe(302);
  const renewed = await claimsOf(jar);
  expect(renewed.acr).toBe("gold");
  expect(Number(renewed.auth_time)).toBeGreaterThan(goldAt);
});

it("a level name the realm's map lacks: Keycloak answers silver without asking, the app refuses it", async () => {
  const jar = new CookieJar();
  await logInAtKeycloak(jar, { app, keycloak, realm: REALM });
  const before = await sessionIn(jar, app);

  const { page } = await stepUp(jar, "acr_values=platinum");
  expect(page.html, page.html && textOf(page.html).slice(0, 400)).toBeUndefined();
  const answer = await callback(jar, page.url);
  expect(answer.status).toBe(403);
  const text = textOf(await answer.text());
  expect(text).toContain("This page needs a fresh sign-in");
  expect(text).toContain("Your session is as it was.");
  expect(await sessionIn(jar, app)).toEqual(before);
  expect((await claimsOf(jar)).acr).toBe("silver");
  expect(refusedAcr("platinum")).toBe("silver");
});

it("a level number above the flow's highest: the app refuses what Keycloak reaches, then Keycloak shows an error", async () => {
  const jar = new CookieJar();
  await logInAtKeycloak(jar, { app, keycloak, realm: REALM });
  const before = await sessionIn(jar, app);

  // Keycloak runs the flow up to its highest level (the password again) and answers with that level's name.
  const { page } = await stepUp(jar, "acr_values=3");
  expect(asksPassword(page.html) && !asksUsername(page.html)).toBe(true);
  const answer = await callback(jar, (await submit(jar, page, { password: "demo" })).url);
  expect(answer.status).toBe(403);
  expect(textOf(await answer.text())).toContain("This page needs a fresh sign-in");
  expect(refusedAcr("3")).toBe("gold");
  expect(await sessionIn(jar, app)).toEqual(before);

  // Asked again, with nothing left to ask: Keycloak's own error page, the browser stays there.
  const again = await stepUp(jar, "acr_values=3");
  expect(again.page.url.startsWith(keycloak)).toBe(true);
  expect(textOf(again.page.html!)).toContain("We are sorry... Invalid username or password.");
  expect(await sessionIn(jar, app)).toEqual(before);
});
