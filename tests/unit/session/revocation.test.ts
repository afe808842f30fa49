import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRevocationStore, revocationKeys } from "~/auth/session/revocation.server";

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

  it("keeps thousands of revocations as it grows, and forgets the expired ones", async () => {
    vi.useFakeTimers();
    const store = new MemoryRevocationStore();
    const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `demo:sid:${from + i}`);
    for (const [i, key] of keys(0, 5000).entries()) await store.revoke(key, i, 60);
    for (const [i, key] of keys(0, 5000).entries()) expect(await store.revokedAt([key])).toBe(i);
    expect(await store.revokedAt(["demo:sid:5000"])).toBeNull();
    vi.advanceTimersByTime(61_000);
    for (const [i, key] of keys(5000, 20_000).entries()) await store.revoke(key, i, 3600);
    for (const key of keys(0, 5000)) expect(await store.revokedAt([key])).toBeNull();
    for (const [i, key] of keys(5000, 20_000).entries()) expect(await store.revokedAt([key])).toBe(i);
    expect(await store.useOnce("iss#jti-1", 60)).toBe(true);
    expect(await store.useOnce("iss#jti-1", 60)).toBe(false);
  });

  it("accepts a token id once", async () => {
    const store = new MemoryRevocationStore();
    expect(await store.useOnce("iss#jti-1", 60)).toBe(true);
    expect(await store.useOnce("iss#jti-1", 60)).toBe(false);
    expect(await store.useOnce("iss#jti-2", 60)).toBe(true);
  });

  it("revokes once per id: the same id again revokes nothing and answers false", async () => {
    const store = new MemoryRevocationStore();
    const revocation = { keys: ["demo:sub:u", "demo:sid:s"], at: 100, ttlSeconds: 60 };
    expect(await store.revokeOnce("iss#jti-1", 60, revocation)).toBe(true);
    expect(await store.revokedAt(["demo:sub:u"])).toBe(100);
    expect(await store.revokedAt(["demo:sid:s"])).toBe(100);

    expect(await store.revokeOnce("iss#jti-1", 60, { ...revocation, at: 200 })).toBe(false);
    expect(await store.revokedAt(["demo:sub:u", "demo:sid:s"])).toBe(100);
    expect(await store.useOnce("iss#jti-1", 60)).toBe(false);
  });
});

describe("revocationKeys", () => {
  it("scopes keys by realm, so a sid of realm A never revokes realm B", () => {
    expect(revocationKeys("acme", { sid: "s", sub: "u" })).toEqual(["acme:sid:s", "acme:sub:u"]);
    expect(revocationKeys("demo", { sub: "u" })).toEqual(["demo:sub:u"]);
  });
});
