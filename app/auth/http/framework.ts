/**
 * What the module needs from the web framework, and what it hands it. Below the factory everything is web
 * `Request`/`Response`: a redirect is a 302 Response, a page's data with its status is a {@link PageData}.
 * The factory turns page data into the framework's own `data()` value through the adapter it was given
 * (`app/auth/frameworks/`), so `useLoaderData<typeof loader>` infers the page's data in either framework.
 */

/**
 * The type a framework's `data(value)` returns, as a function of `value`'s type (TypeScript has no
 * higher-kinded types; an interface whose `out` reads `this["value"]` stands in for one).
 */
export interface DataKind {
  readonly value: unknown;
  readonly out: unknown;
}
export type DataOf<Kind extends DataKind, D> = (Kind & { readonly value: D })["out"];

/** A web framework, as the module sees it: one adapter per framework, passed to `createAuth`. */
export interface Framework<Kind extends DataKind = DataKind> {
  /** The framework's `data(value, init)`: a loader's data, sent with the response's status and headers. */
  data<D>(value: D, init: ResponseInit): DataOf<Kind, D>;
}

/** A page's data and its response's status and headers, until the factory gives it to the framework. */
export interface PageData<D> {
  readonly page: D;
  readonly init: ResponseInit;
}

export const pageData = <D>(page: D, init: ResponseInit): PageData<D> => ({ page, init });

/** A redirect: `Location` set on `headers` (sent along, e.g. `Set-Cookie`). */
export function redirectResponse(location: string, headers: HeadersInit = {}, status = 302): Response {
  const all = new Headers(headers);
  all.set("Location", location);
  return new Response(null, { status, headers: all });
}
