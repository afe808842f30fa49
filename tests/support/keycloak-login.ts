// Walking Keycloak's own pages over HTTP: its login form (`#kc-form-login`,
// fields username and password) and its logout confirmation (`#kc-logout`).
import { expect } from "vitest";
import { browse, CookieJar, follow, formOf, isRedirect, textOf } from "./browserless";

export interface KeycloakLoginTarget {
  app: string;
  keycloak: string;
  realm?: string;
  username?: string;
  password?: string;
}

/** Keycloak's login form of a page, by its id: the action to post username and password to. */
export function keycloakLoginForm(html: string, pageUrl: string): string {
  const form = /<form\b[^>]*\bid="kc-form-login"[^>]*>/i.exec(html);
  if (!form) throw new Error(`no Keycloak login form in page:\n${textOf(html).slice(0, 500)}`);
  return formOf(form[0] + "</form>", pageUrl).action;
}

/** Starts a login at the app and stops at Keycloak's login page (or wherever Keycloak sends the browser). */
export async function startKeycloakLogin(jar: CookieJar, { app, keycloak, realm = "demo" }: KeycloakLoginTarget) {
  const response = await browse(jar, `${app}/auth/${realm}/login`);
  expect(response.status).toBe(302);
  const authorizeUrl = new URL(response.headers.get("location")!);
  const page = await follow(jar, response, app, keycloak);
  return { response, authorizeUrl, page };
}

/** Signs in on Keycloak's login page; returns the app URL Keycloak sends the browser to. */
export async function signInAtKeycloak(
  jar: CookieJar,
  page: { url: string; html?: string },
  target: KeycloakLoginTarget,
): Promise<string> {
  const { keycloak, username = "demo", password = username } = target;
  expect(page.html, `Keycloak answered a redirect to ${page.url} instead of its login page`).toBeDefined();
  expect(textOf(page.html!)).toContain("Sign in to your account");
  const action = keycloakLoginForm(page.html!, page.url);
  const done = await follow(jar, await browse(jar, action, { form: { username, password } }), action, keycloak);
  expect(done.html, done.html && textOf(done.html).slice(0, 600)).toBeUndefined();
  return done.url;
}

/** A full login over HTTP at Keycloak; returns the app's callback answer (302 on success). */
export async function logInAtKeycloak(jar: CookieJar, target: KeycloakLoginTarget): Promise<Response> {
  const { app, realm = "demo" } = target;
  const { page } = await startKeycloakLogin(jar, target);
  const callbackUrl = await signInAtKeycloak(jar, page, target);
  expect(callbackUrl.startsWith(`${app}/auth/${realm}/callback?`)).toBe(true);
  const callback = await browse(jar, callbackUrl);
  expect(callback.status).toBe(302);
  return callback;
}

/**
 * Takes the app's answer to `POST /logout` to Keycloak, whichever logout
 * method: the auto-submitting form (post) or the redirect (GET). Returns
 * Keycloak's answer and where it stopped.
 */
export async function sendEndSession(jar: CookieJar, logout: Response, app: string, keycloak: string) {
  let request: { method: "GET" | "POST"; url: string; params: Record<string, string> };
  if (isRedirect(logout)) {
    const url = new URL(logout.headers.get("location")!);
    request = { method: "GET", url: url.href, params: Object.fromEntries(url.searchParams) };
  } else {
    expect(logout.status).toBe(200);
    const form = formOf(await logout.text(), `${app}/logout`);
    request = { method: "POST", url: form.action, params: form.fields };
  }
  expect(request.url.startsWith(keycloak)).toBe(true);
  const first = await browse(jar, request.url, request.method === "POST" ? { form: request.params } : {});
  const stop = await follow(jar, first, request.url, keycloak);
  return { request, first, stop };
}

/** Presses "Logout" on Keycloak's "Do you want to log out?" page; returns where Keycloak sends the browser. */
export async function confirmKeycloakLogout(jar: CookieJar, page: { url: string; html?: string }, keycloak: string) {
  expect(textOf(page.html!)).toContain("Do you want to log out?");
  const form = formOf(page.html!, page.url);
  const fields = { ...form.fields, confirmLogout: "Logout" };
  return follow(jar, await browse(jar, form.action, { form: fields }), form.action, keycloak);
}
