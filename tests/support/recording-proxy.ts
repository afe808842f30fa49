// A pass-through in front of a provider's endpoints that records what the app
// sent them: the parameters and the credentials, which a hand-written
// provider does not keep. Real HTTP on loopback.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  path: string;
  /** The `Authorization` header, if any. */
  authorization?: string;
  /** The form body's parameters (a token request's). */
  form: Record<string, string>;
}

export interface RecordingProxy {
  /** Where to send what is meant for `target`: `${url}/token` reaches `${target}/token`. */
  url: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    proxy.calls.push({
      path: req.url!,
      ...(req.headers.authorization && { authorization: req.headers.authorization }),
      form: Object.fromEntries(new URLSearchParams(body)),
    });
    const forwarded = ["authorization", "content-type", "accept"].filter((name) => req.headers[name]);
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: Object.fromEntries(forwarded.map((name) => [name, String(req.headers[name])])),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    res.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "text/plain" });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxy: RecordingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return proxy;
}
