import http from "node:http";
import type { AddressInfo } from "node:net";

export interface TappedLogout {
  logoutToken: string;
  contentType: string | undefined;
  /** The app's answer to the forwarded request. */
  appStatus: number;
}

/**
 * A back-channel logout URL that records what Keycloak posts and passes it on
 * to the app unchanged (the test can then read Keycloak's own logout_token).
 */
export async function startLogoutTokenTap(
  forwardTo: string,
): Promise<{ url: string; received: TappedLogout[]; close(): Promise<void> }> {
  const received: TappedLogout[] = [];
  const server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const forwarded = await fetch(forwardTo, {
      method: "POST",
      headers: { "content-type": req.headers["content-type"] ?? "application/x-www-form-urlencoded" },
      body,
    });
    received.push({
      logoutToken: new URLSearchParams(body).get("logout_token") ?? "",
      contentType: req.headers["content-type"],
      appStatus: forwarded.status,
    });
    res
      .writeHead(forwarded.status, { "content-type": forwarded.headers.get("content-type") ?? "text/plain" })
      .end(await forwarded.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
