// Memory per logout: what the in-memory revocation store (the default, without
// REDIS_URL) holds for each ended session, which it keeps for SESSION_MAX_AGE.
// Run in a fresh process with --expose-gc: `node --expose-gc bench/revocation-bytes.js`
// prints JSON; `npm run bench` runs it and reports it.
import { randomUUID } from "node:crypto";
import { importAppModule } from "./app-module.js";

const SESSION_MAX_AGE = 8 * 60 * 60;
const COUNTS = [100_000, 300_000, 1_000_000];

/** JavaScript heap and array buffers in use after a full GC. */
function heldBytes() {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Bytes held per revoked session after `count` logouts, each of a session
 * with a Keycloak-like `sid` (a UUID), recorded as the logout action does.
 */
export async function measureRevocationBytes(count, { MemoryRevocationStore, revocationKeys }) {
  const before = heldBytes();
  const store = new MemoryRevocationStore();
  let last = "";
  for (let i = 0; i < count; i++) {
    // As the logout action does: the sid as read from the session's JSON, its keys from revocationKeys.
    const sid = JSON.parse(JSON.stringify(randomUUID()));
    for (last of revocationKeys("demo", { sid })) await store.revoke(last, Date.now() / 1000, SESSION_MAX_AGE);
  }
  const perLogout = (heldBytes() - before) / count;
  // The store is still in use after the measurement (so it was measured alive) and does its job.
  if ((await store.revokedAt([last])) === null || (await store.revokedAt(["demo:sid:never-revoked"])) !== null)
    throw new Error("the revocation store does not answer as it should");
  return perLogout;
}

if (!globalThis.gc) throw new Error("run with node --expose-gc");
const module = await importAppModule("app/auth/session/revocation.server.ts");
const perLogout = [];
for (const count of COUNTS) perLogout.push({ count, bytes: await measureRevocationBytes(count, module) });
console.log(JSON.stringify({ sessionMaxAge: SESSION_MAX_AGE, perLogout }));
