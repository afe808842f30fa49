import { PassThrough } from "node:stream";
import type { EntryContext, HandleDataRequestFunction, HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { auth } from "~/auth.server";
import { incomingRequestId, requestId } from "~/auth/index.server";
import { NonceContext } from "~/nonce";
import { encodePage } from "~/page-encoding.server";
import { createNonce, pageSecurityHeaders } from "~/security-headers.server";

// The providers' origins, where the logout form may post.
const formTargets = [...new Set(auth.config.providers.map((provider) => new URL(provider.issuer).origin))];

const RENDER_TIMEOUT_MS = 5_000;
export const streamTimeout = RENDER_TIMEOUT_MS;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  const id = incomingRequestId(request);
  if (id) responseHeaders.set("X-Request-Id", id);
  const nonce = createNonce();
  for (const [name, value] of Object.entries(
    pageSecurityHeaders({ nonce, formTargets, path: new URL(request.url).pathname }),
  ))
    responseHeaders.set(name, value);
  return new Promise<Response>((resolve, reject) => {
    let status = responseStatusCode;
    // Cleared once rendered: a pending timer would keep each render's memory for seconds under load.
    // Set after the render starts (it needs `abort`), declared before it, for the callbacks.
    // eslint-disable-next-line prefer-const
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={RENDER_TIMEOUT_MS} nonce={nonce} />
      </NonceContext.Provider>,
      {
        // The pages are small: render them whole, for browsers and bots alike.
        nonce,
        onAllReady() {
          clearTimeout(timeout);
          const chunks: Buffer[] = [];
          const html = new PassThrough()
            .on("data", (chunk: Buffer) => chunks.push(chunk))
            .on("error", reject)
            .on("end", () => {
              const { body, encoding } = encodePage(Buffer.concat(chunks), request.headers.get("Accept-Encoding"));
              responseHeaders.set("Content-Type", "text/html; charset=utf-8");
              responseHeaders.append("Vary", "Accept-Encoding");
              if (encoding) responseHeaders.set("Content-Encoding", encoding);
              responseHeaders.set("Content-Length", String(body.length));
              resolve(new Response(new Uint8Array(body), { headers: responseHeaders, status }));
            });
          pipe(html);
        },
        onShellError(error: unknown) {
          clearTimeout(timeout);
          reject(error);
        },
        onError(error: unknown) {
          status = 500;
          console.error(error);
        },
      },
    );
    timeout = setTimeout(abort, RENDER_TIMEOUT_MS + 1_000);
  });
}

export const handleDataRequest: HandleDataRequestFunction = (response, { request }) => {
  response.headers.set("Cache-Control", "no-store");
  const id = incomingRequestId(request);
  if (id) response.headers.set("X-Request-Id", id);
  return response;
};

/**
 * What Remix reports on stderr. A 404 is not an error (nothing is written),
 * a request the client aborted neither; Remix's refusal of a cross-origin form
 * POST is one line, not a stack trace. Everything else keeps its stack.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  const message = error instanceof Error ? error.message : "";
  if (message.includes("header does not match `origin` header") || message.includes("headers are not provided")) {
    const { pathname } = new URL(request.url);
    const line = {
      time: new Date().toISOString(),
      event: "cross_origin_form_refused",
      method: request.method,
      path: pathname,
    };
    console.error(JSON.stringify({ ...line, requestId: requestId(request) }));
    return;
  }
  console.error(error);
};
