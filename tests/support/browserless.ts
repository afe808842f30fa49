/**
 * Browser-like HTTP for integration tests that walk through redirects by
 * hand: cookies kept per host and path, expired ones dropped.
 */
export class CookieJar {
  #cookies = new Map<string, { host: string; name: string; value: string; path: string }>();

  header(url: string): string {
    const { host, pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter(
        (c) =>
          c.host === host && (pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  store(url: string, response: Response): void {
    const { host } = new URL(url);
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const attribute = new Map(attributes.map((a) => [a.split("=")[0]!.toLowerCase(), a.slice(a.indexOf("=") + 1)]));
      const path = attribute.get("path") ?? "/";
      const expired =
        (attribute.has("expires") && Date.parse(attribute.get("expires")!) <= Date.now()) ||
        Number(attribute.get("max-age") ?? 1) <= 0;
      const key = `${host};${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { host, name, value, path });
    }
  }

  /** Names of the cookies a request to `url` would carry. */
  names(url: string): string[] {
    return this.header(url)
      .split("; ")
      .filter(Boolean)
      .map((pair) => pair.slice(0, pair.indexOf("=")));
  }
}

/** One request like a browser's, redirects not followed: cookies sent and stored. */
export async function browse(
  jar: CookieJar,
  url: string,
  init: { method?: string; form?: Record<string, string> | URLSearchParams; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set("cookie", cookie);
  if (init.form) headers.set("content-type", "application/x-www-form-urlencoded");
  const response = await fetch(url, {
    method: init.method ?? (init.form ? "POST" : "GET"),
    headers,
    body: init.form ? new URLSearchParams(init.form) : undefined,
    redirect: "manual",
  });
  jar.store(url, response);
  return response;
}

export const isRedirect = (response: Response) => response.status >= 300 && response.status < 400;

/** Follows redirects while they stay under the URL `within` (e.g. the IdP's); returns where it stopped, and the page's HTML when it is one. */
export async function follow(jar: CookieJar, response: Response, from: string, within: string) {
  let url = from;
  while (isRedirect(response)) {
    url = new URL(response.headers.get("location")!, url).href;
    if (!url.startsWith(within)) return { url, response, html: undefined };
    response = await browse(jar, url);
  }
  return { url, response, html: await response.text() };
}

export function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The first form of a page: its action and hidden fields. */
export function formOf(html: string, pageUrl: string) {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no form in page:\n${html}`);
  const action = new URL(decodeEntities(/\baction="([^"]*)"/.exec(form[1]!)?.[1] ?? pageUrl), pageUrl).href;
  const fields: Record<string, string> = {};
  for (const [input] of form[2]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/.exec(input)?.[1];
    if (name && /type="hidden"/.test(input)) fields[name] = decodeEntities(/\bvalue="([^"]*)"/.exec(input)?.[1] ?? "");
  }
  return { action, fields };
}

export /** A submit button by its visible text: its name/value pair, if any. */
function button(html: string, text: string) {
  for (const [, attrs, label] of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    if (label.trim() === text) {
      const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
      const value = /\bvalue="([^"]*)"/.exec(attrs)?.[1] ?? "";
      return name ? { [name]: value } : {};
    }
  }
  return undefined;
}

/** The visible text of an HTML page. */
export const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
