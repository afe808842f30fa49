// A TCP proxy on loopback that holds every chunk for `delayMs` in each direction, so that a provider on this
// machine behaves as one 2 × delayMs away (one request and its answer: one round trip). The browser and both
// servers reach the provider through it; the Host header they send names the proxy, so Keycloak (hostname not
// set) and the dev IdP (`publicUrl`) both call themselves by the proxy's URL. Connections opened through it
// cost nothing extra (the TCP handshake is with the proxy): only data is delayed.
import net from "node:net";
import { freePort } from "../dev/free-port.js";

/** @param {{ targetPort: number, port?: number }} options */
export async function startDelayProxy({ targetPort, port }) {
  const host = "127.0.0.1";
  const state = { delayMs: 0 };
  const sockets = new Set();
  const relay = (from, to) => {
    const later = (job) => (state.delayMs > 0 ? setTimeout(job, state.delayMs) : job());
    from.on("data", (chunk) => later(() => to.destroyed || to.write(chunk)));
    from.on("end", () => later(() => to.destroyed || to.end()));
    from.on("error", () => to.destroy());
    from.on("close", () => later(() => to.destroy()));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.once("close", () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  const listenPort = port ?? (await freePort());
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listenPort, host, resolve);
  });
  return {
    url: `http://${host}:${listenPort}`,
    port: listenPort,
    /** Milliseconds each chunk waits, per direction; changed between runs. */
    setDelay: (ms) => (state.delayMs = ms),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
