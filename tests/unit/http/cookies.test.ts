import { describe, expect, it } from "vitest";
import { BoundedEntriesCookie } from "~/auth/http/cookies.server";

const ATTRIBUTES = { path: "/auth/demo/", secure: false, maxAge: 300 };

/** A request carrying `cookie` as its Cookie header. */
const requestWith = (cookie: string) => new Request("http://localhost/auth/demo/login", { headers: { cookie } });

/** The cookie a browser keeps from `setCookie`, as its next request sends it ("" once deleted). */
function kept(setCookie: string): string {
  const [pair] = setCookie.split(";");
  return /Max-Age=0/.test(setCookie) ? "" : pair!;
}

/** The entries after adding each key (value `v-<key>`) in turn, each in the request that carries the last cookie. */
function afterAdding(cookie: BoundedEntriesCookie, keys: string[], start = "") {
  let header = start;
  for (const key of keys) header = kept(cookie.add(requestWith(header), key, `v-${key}`));
  return { header, entries: [...cookie.read(requestWith(header))] };
}

describe("BoundedEntriesCookie", () => {
  const logins = new BoundedEntriesCookie("oidc:demo", ATTRIBUTES, 3);

  it("keeps the newest entries, oldest first, dropping the oldest beyond the limit", () => {
    expect(afterAdding(logins, ["a", "b", "c", "d", "e"]).entries).toEqual([
      ["c", "v-c"],
      ["d", "v-d"],
      ["e", "v-e"],
    ]);
  });

  it("moves a key added again to the newest place, with its new value, without a second copy", () => {
    const { header } = afterAdding(logins, ["a", "b", "c"]);
    const again = kept(logins.add(requestWith(header), "a", "again"));
    expect([...logins.read(requestWith(again))]).toEqual([
      ["b", "v-b"],
      ["c", "v-c"],
      ["a", "again"],
    ]);
  });

  it("drops the oldest, not the key added again, when a full cookie gets a key it holds", () => {
    const { header } = afterAdding(logins, ["a", "b", "c"]);
    expect([...logins.read(requestWith(kept(logins.add(requestWith(header), "b", "new"))))].map(([k]) => k)).toEqual([
      "a",
      "c",
      "b",
    ]);
  });

  it("keeps the cookie's attributes while it holds an entry", () => {
    expect(logins.add(requestWith(""), "a", "1")).toBe(
      "oidc:demo=a=1; Max-Age=300; Path=/auth/demo/; HttpOnly; SameSite=Lax",
    );
  });

  it("removes one entry and keeps the others", () => {
    const { header } = afterAdding(logins, ["a", "b"]);
    const removed = logins.remove(requestWith(header), "a");
    expect(removed).toMatch(/Max-Age=300/);
    expect([...logins.read(requestWith(kept(removed)))]).toEqual([["b", "v-b"]]);
  });

  it("deletes the cookie when the last entry is removed", () => {
    const { header } = afterAdding(logins, ["a"]);
    expect(logins.remove(requestWith(header), "a")).toBe(
      "oidc:demo=; Max-Age=0; Path=/auth/demo/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax",
    );
  });

  it("deletes the cookie when asked to remove an entry from a request without one", () => {
    expect(logins.remove(requestWith(""), "a")).toMatch(/^oidc:demo=; .*Max-Age=0/);
  });

  // `slice(-(limit - 1))` kept every entry when the limit was 1 (`slice(-0)`).
  it("keeps one entry when the limit is one", () => {
    const single = new BoundedEntriesCookie("one", ATTRIBUTES, 1);
    expect(afterAdding(single, ["a", "b", "c"]).entries).toEqual([["c", "v-c"]]);
  });

  describe("given a Cookie header with junk or hostile values", () => {
    const hostile: [string, string][] = [
      ["a lone percent sign", "oidc:demo=%"],
      ["a cut-off percent escape", "oidc:demo=%E0%A4%A"],
      ["escaped control characters", "oidc:demo=%00%0d%0a"],
      ["empty keys and values", "oidc:demo==&&=&a"],
      ["a quoted value", 'oidc:demo="quoted"'],
      ["one key many times", "oidc:demo=a=1&a=2&a=3"],
      ["2,000 entries", `oidc:demo=${"x=y&".repeat(2000)}`],
      ["50 distinct entries", `oidc:demo=${Array.from({ length: 50 }, (_, i) => `k${i}=${"v".repeat(40)}`).join("&")}`],
      ["UTF-8 bytes as Node reads them (latin1)", "oidc:demo=\u00c3\u00bc=\u00e2\u0098\u0083"],
      ["control characters", "oidc:demo=\u0001\u007f=\u0008"],
      ["a name without a value", "oidc:demo"],
      ["stray separators and duplicate names", "=oidc:demo; ;;; oidc:demo=b=2; oidc:demo=c=3"],
    ];

    it.each(hostile)("reads %s without throwing", (_, header) => {
      expect(() => logins.read(requestWith(header))).not.toThrow();
    });

    it.each(hostile)("adds an entry to %s: within the limit, the value cookie-safe", (_, header) => {
      const added = logins.add(requestWith(header), "state", "/account");
      const value = added.slice("oidc:demo=".length, added.indexOf(";"));
      expect(value).toMatch(/^[\w%*+.=&-]+$/);
      const entries = [...logins.read(requestWith(kept(added)))];
      expect(entries.length).toBeLessThanOrEqual(3);
      expect(entries.at(-1)).toEqual(["state", "/account"]);
    });

    it("removes a key that appears several times, every copy", () => {
      const removed = logins.remove(requestWith("oidc:demo=a=1&b=2&a=3"), "a");
      expect([...logins.read(requestWith(kept(removed)))]).toEqual([["b", "2"]]);
    });
  });
});
