import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRevocationStore, revocationKeys } from "~/auth/revocation.server";

afterEach(() => vi.useRealTimers());

describe("MemoryRevocationStore", () => {
  it("reports the latest revocation of any key", async () => {
    const store = new MemoryRevocationStore();
    expect(await store.revokedAt(["demo:sid:a"])).toBeNull();
    await store.revoke("demo:sid:a", 100, 60);
    await store.revoke("demo:sub:u", 200, 60);
    expect(await store.revokedAt(["demo:sid:a", "demo:sub:u"])).toBe(200);
    expect(await store.revokedAt(["demo:sid:b"])).toBeNull();
  });

  it("forgets revocations after their time to live", async () => {
    vi.useFakeTimers();
    const store = new MemoryRevocationStore();
    await store.revoke("demo:sid:a", 100, 60);
    vi.advanceTimersByTime(59_000);
    expect(await store.revokedAt(["demo:sid:a"])).toBe(100);
    vi.advanceTimersByTime(2_000);
    expect(await store.revokedAt(["demo:sid:a"])).toBeNull();
  });

  it("accepts a token id once", async () => {
    const store = new MemoryRevocationStore();
    expect(await store.useOnce("iss#jti-1", 60)).toBe(true);
    expect(await store.useOnce("iss#jti-1", 60)).toBe(false);
    expect(await store.useOnce("iss#jti-2", 60)).toBe(true);
  });
});

describe("revocationKeys", () => {
  it("scopes keys by realm, so a sid of realm A never revokes realm B", () => {
    expect(revocationKeys("acme", { sid: "s", sub: "u" })).toEqual(["acme:sid:s", "acme:sub:u"]);
    expect(revocationKeys("demo", { sub: "u" })).toEqual(["demo:sub:u"]);
  });
});
