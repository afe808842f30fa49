// A browser's login over plain HTTP: cookies kept per host and path, redirects
// followed by hand, the IdP's form filled in. (tests/support/browserless.ts in JS.)

export class CookieJar {
  #cookies = new Map();

  /** The `Cookie` header a request to `url` would carry. */
  header(url) {
    const { host, pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter(
        (c) =>
          c.host === host && (pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  store(url, response) {
    const { host } = new URL(url);
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const attribute = new Map(attributes.map((a) => [a.split("=")[0].toLowerCase(), a.slice(a.indexOf("=") + 1)]));
      const path = attribute.get("path") ?? "/";
      const expired =
        (attribute.has("expires") && Date.parse(attribute.get("expires")) <= Date.now()) ||
        Number(attribute.get("max-age") ?? 1) <= 0;
      const key = `${host};${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { host, name, value, path });
    }
  }
}

/** One request like a browser's, redirects not followed: cookies sent and stored. */
export async function browse(jar, url, { form, headers = {} } = {}) {
  const cookie = jar.header(url);
  const response = await fetch(url, {
    method: form ? "POST" : "GET",
    headers: {
      ...headers,
      ...(cookie && { cookie }),
      ...(form && { "content-type": "application/x-www-form-urlencoded" }),
    },
    body: form ? new URLSearchParams(form) : undefined,
    redirect: "manual",
  });
  jar.store(url, response);
  return response;
}

const isRedirect = (response) => response.status >= 300 && response.status < 400;

/** Follows redirects while `within(url)` holds; returns where it stopped, and the page's HTML when it is one. */
export async function follow(jar, response, from, within) {
  let url = from;
  while (isRedirect(response)) {
    await response.body?.cancel();
    url = new URL(response.headers.get("location"), url).href;
    if (!within(url)) return { url, response, html: undefined };
    response = await browse(jar, url);
  }
  return { url, response, html: await response.text() };
}

/** The `action` of the first form of a page. */
export function formAction(html, pageUrl) {
  const action = /<form\b[^>]*\baction="([^"]*)"/i.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form at ${pageUrl}:\n${html.slice(0, 500)}`);
  return new URL(
    action.replace(/&amp;/g, "&").replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
    pageUrl,
  ).href;
}

/**
 * A full login with a fresh browser: the app's login URL, the IdP's form
 * (authorize → login page → POST → redirects), then the app's callback.
 * Returns the jar (now holding the session) and the callback's response.
 */
export async function logIn({ loginUrl, idpUrl, username = "demo" }) {
  const jar = new CookieJar();
  const inIdp = (url) => url.startsWith(idpUrl);
  const form = await follow(jar, await browse(jar, loginUrl), loginUrl, inIdp);
  if (!form.html?.includes('name="password"'))
    throw new Error(`no IdP login form after ${loginUrl} (stopped at ${form.url}, HTTP ${form.response.status})`);
  const action = formAction(form.html, form.url);
  const done = await follow(jar, await browse(jar, action, { form: { username, password: username } }), action, inIdp);
  if (done.html !== undefined)
    throw new Error(`the IdP did not redirect back (HTTP ${done.response.status} at ${done.url})`);
  const callback = await browse(jar, done.url);
  await callback.body?.cancel();
  if (callback.status !== 302)
    throw new Error(`callback ${new URL(done.url).pathname} answered HTTP ${callback.status}`);
  return { jar, callback };
}

/** The session cookies a callback set (`name=value` each, deletions left out), by name prefix. */
export function sessionCookies(callback, prefix) {
  return callback.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .filter((pair) => pair.startsWith(prefix) && pair.indexOf("=") < pair.length - 1);
}
