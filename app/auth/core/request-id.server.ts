import { randomUUID } from "node:crypto";

/** What a proxy's request id may look like; anything else (too long, odd characters) is replaced. */
const WELL_FORMED = /^[\w.:-]{1,64}$/;
const made = new WeakMap<Request, string>();

/**
 * The request's id: the proxy's `X-Request-Id` when it is well-formed,
 * otherwise one made here, the same for every call with this `Request`.
 * Inside the app, so it holds under remix-serve or any other server.
 */
export function requestId(request: Request): string {
  const given = incomingRequestId(request);
  if (given) return given;
  let id = made.get(request);
  if (!id) {
    id = randomUUID();
    made.set(request, id);
  }
  return id;
}

/**
 * The proxy's well-formed `X-Request-Id`, or `null`. Remix gives each loader
 * its own copy of the Request, so an id made for a loader's log line cannot be
 * known where the page is rendered: pages send back only the proxy's.
 */
export function incomingRequestId(request: Request): string | null {
  const given = request.headers.get("X-Request-Id");
  return given && WELL_FORMED.test(given) ? given : null;
}
