import { renderToString } from "react-dom/server";
import { ServerRouter, type EntryContext } from "react-router";

// Its own server entry, rendered whole (no streaming needed here): React Router's default one needs
// @react-router/node and isbot in `dependencies`, which only the tests use in this repository.
export default function handleRequest(request: Request, status: number, headers: Headers, context: EntryContext) {
  headers.set("Content-Type", "text/html; charset=utf-8");
  const html = renderToString(<ServerRouter context={context} url={request.url} />);
  return new Response(`<!DOCTYPE html>${html}`, { status, headers });
}
