import { PassThrough } from "node:stream";
import type { EntryContext, HandleDataRequestFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { loadConfigOrExit } from "~/auth/config.server";
import { staleSessionHeaders } from "~/auth/session.server";

// Validate the configuration when the server starts, not on the first request.
loadConfigOrExit();

const RENDER_TIMEOUT_MS = 5_000;
export const streamTimeout = RENDER_TIMEOUT_MS;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  await clearStaleSession(request, responseHeaders);
  return new Promise<Response>((resolve, reject) => {
    let status = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={RENDER_TIMEOUT_MS} />,
      {
        // The pages are small: render them whole, for browsers and bots alike.
        onAllReady() {
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
          pipe(body);
        },
        onShellError: reject,
        onError(error: unknown) {
          status = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, RENDER_TIMEOUT_MS + 1_000);
  });
}

export const handleDataRequest: HandleDataRequestFunction = async (response, { request }) => {
  await clearStaleSession(request, response.headers);
  return response;
};

/** A session that ended (expired, revoked by a back-channel logout, forged) also leaves the browser. */
async function clearStaleSession(request: Request, headers: Headers) {
  if (headers.getSetCookie().some((cookie) => cookie.startsWith("__session"))) return;
  for (const cookie of (await staleSessionHeaders(request)).getSetCookie()) headers.append("Set-Cookie", cookie);
}
