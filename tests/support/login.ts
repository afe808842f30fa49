import { expect } from "vitest";
import { decrypt, encrypt } from "~/auth/session/sealed-cookie.server";
import { fromStored, toStored, type AuthSessionData } from "~/auth/session/session-data.server";
import { TEST_SESSION_SECRET } from "./app";
import { browse, button, CookieJar, follow, formOf } from "./browserless";

export interface LoginTarget {
  /** The app's origin. */
  app: string;
  /** The IdP's base URL (`idp.url`). */
  idp: string;
  realm?: string;
  username?: string;
  password?: string;
}

/**
 * Walks a browser's login over HTTP up to the app's callback URL, without
 * visiting it: the app's login route, the IdP's form (skipped when the IdP
 * session answers silently), the redirects.
 */
export async function reachCallback(jar: CookieJar, target: LoginTarget): Promise<string> {
  const { app, idp, realm = "demo", username = "demo", password = username } = target;
  const page = await follow(jar, await browse(jar, `${app}/auth/${realm}/login`), app, idp);
  let callbackUrl = page.url;
  if (page.html) {
    const { action } = formOf(page.html, page.url);
    callbackUrl = (await follow(jar, await browse(jar, action, { form: { username, password } }), action, idp)).url;
  }
  expect(callbackUrl.startsWith(`${app}/auth/${realm}/callback?`)).toBe(true);
  return callbackUrl;
}

/** A full login over HTTP; the jar then holds the session. Returns the callback's answer (a 302 on success). */
export async function logInOverHttp(jar: CookieJar, target: LoginTarget): Promise<Response> {
  return browse(jar, await reachCallback(jar, target));
}

/** The session the jar's cookies hold for `app`, decrypted with the tests' secret; `null` when there is none. */
export async function sessionIn(
  jar: CookieJar,
  app: string,
  secret = TEST_SESSION_SECRET,
): Promise<AuthSessionData | null> {
  const cookies = new Map(
    jar
      .header(app)
      .split("; ")
      .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
  const value = [cookies.get("__session"), cookies.get("__session.1"), cookies.get("__session.2")]
    .filter(Boolean)
    .join("");
  return value ? fromStored(await decrypt(value, [secret])) : null;
}

/** A `__session` value as the app would write it, encrypted with `secret` (the tests' by default). */
export function encryptedSession(data: AuthSessionData, secret = TEST_SESSION_SECRET): Promise<string> {
  return encrypt(toStored(data), secret);
}

/**
 * Presses "Continue" on the IdP's own logout page (what its script does with
 * JavaScript on) and follows the redirects back out of the IdP: returns the
 * URL the IdP sends the browser to.
 */
export async function continueIdpLogout(
  jar: CookieJar,
  page: { url: string; html?: string },
  idp: string,
): Promise<string> {
  const form = formOf(page.html!, page.url);
  const fields = { ...form.fields, ...button(page.html!, "Continue") };
  return (await follow(jar, await browse(jar, form.action, { form: fields }), form.action, idp)).url;
}

/** The part of an auth instance (or of a layer's context, wrapped) that a login goes through. */
export interface LoginRoutes {
  startLogin(request: Request, realm: string): Promise<unknown>;
  completeLogin(request: Request, realm: string): Promise<unknown>;
}

/** A request to `url` carrying the jar's cookies for it, as a browser would send it. */
export const requestWith = (jar: CookieJar, url: string, init: RequestInit = {}) =>
  new Request(url, { ...init, headers: { cookie: jar.header(url), ...init.headers } });

/**
 * A full login through an auth instance running in this process (no server): its login route, the IdP's form
 * over HTTP, its callback. The jar then holds the session; returns the callback's answer (a 302 on success).
 */
export async function logInInProcess(auth: LoginRoutes, jar: CookieJar, target: LoginTarget): Promise<Response> {
  const { app, idp, realm = "demo", username = "demo", password = username } = target;
  const start = await auth.startLogin(requestWith(jar, `${app}/auth/${realm}/login`), realm);
  if (!(start instanceof Response)) throw new Error(`the login did not start: ${JSON.stringify(start)}`);
  jar.store(app, start);
  const authorize = start.headers.get("location")!;
  const page = await follow(jar, await browse(jar, authorize), authorize, idp);
  let callbackUrl = page.url;
  if (page.html) {
    const { action } = formOf(page.html, page.url);
    callbackUrl = (await follow(jar, await browse(jar, action, { form: { username, password } }), action, idp)).url;
  }
  expect(callbackUrl.startsWith(`${app}/auth/${realm}/callback?`)).toBe(true);
  const callback = await auth.completeLogin(requestWith(jar, callbackUrl), realm);
  if (!(callback instanceof Response)) throw new Error(`the login did not complete: ${JSON.stringify(callback)}`);
  jar.store(app, callback);
  return callback;
}
