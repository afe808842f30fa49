// Distinct, valid app sessions for the logout load. Every logout records its
// session as ended (a copy of the cookie is refused afterwards), so measuring
// logouts takes one session per request. Each is the real session of one real
// login, re-encrypted by the app's own code (app/auth/session/sealed-cookie.server.ts,
// bundled with esbuild) with its own provider session id (`sid`, what a logout
// revokes) and the same real ID token.
import { importAppModule } from "./app-module.js";

/** The app's encrypt/decrypt/splitIntoChunks, built from its source once per run. */
let built;
const sealedCookie = () => (built ??= importAppModule("app/auth/session/sealed-cookie.server.ts"));

/**
 * The `name=value` bytes of each session cookie for the session in `cookie`
 * changed by `change` (e.g. without its tokens), encrypted again by the app's code.
 */
export async function resealedCookieBytes({ cookie, secret, change, cookieName = "__session" }) {
  const { encrypt, splitIntoChunks } = await sealedCookie();
  const { stored } = await sessionMint({ cookie, secret, cookieName });
  const chunks = splitIntoChunks(await encrypt(change(stored), secret));
  return chunks.map((chunk, index) =>
    Buffer.byteLength(`${index === 0 ? cookieName : `${cookieName}.${index}`}=${chunk}`),
  );
}

/**
 * A source of fresh sessions like `cookie` (the `Cookie` header of a real
 * login, `name=value; …` of the `__session*` chunks), encrypted with `secret`.
 * `fill(count)` mints ahead (encryption is async; autocannon's `setupRequest`
 * is not), `next()` hands out each session once, `left()` how many remain.
 */
export async function sessionMint({ cookie, secret, cookieName = "__session" }) {
  const { decrypt, encrypt, splitIntoChunks } = await sealedCookie();
  const chunks = new Map(
    cookie.split("; ").map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
  );
  const value = [cookieName, `${cookieName}.1`, `${cookieName}.2`].map((name) => chunks.get(name) ?? "").join("");
  const stored = await decrypt(value, [secret], Infinity);
  if (!stored?.user?.sub || !stored.idToken)
    throw new Error("the login's session cookie could not be read with the bench's secret");
  const chunkName = (index) => (index === 0 ? cookieName : `${cookieName}.${index}`);
  const pool = [];
  let minted = 0;
  let handedOut = 0;
  return {
    stored,
    async fill(count) {
      while (pool.length < count) {
        const session = { ...stored, user: { ...stored.user, sid: `bench-logout-${++minted}` } };
        const sealed = splitIntoChunks(await encrypt(session, secret));
        pool.push(sealed.map((chunk, index) => `${chunkName(index)}=${chunk}`).join("; "));
      }
    },
    next() {
      handedOut++;
      return pool.pop();
    },
    left: () => pool.length,
    handedOut: () => handedOut,
  };
}
