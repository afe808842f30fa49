// A free loopback port for a server a test or a tool is about to start.
import { createServer } from "node:net";

/**
 * A port below Linux's ephemeral range (32768–60999), free now. A port the
 * kernel hands out for `listen(0)` comes from that range, and once released
 * it can become the source port of any outgoing connection on the machine
 * before the server binds it (EADDRINUSE under load); ports below it are only
 * ever taken by servers that ask for them.
 * @returns {Promise<number>}
 */
export async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await isFree(port)) return port;
  }
}

/**
 * @param {number} port
 * @param {string} [host] where the server will listen
 */
export function isFree(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
