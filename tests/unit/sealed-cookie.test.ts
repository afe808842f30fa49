import { describe, expect, it } from "vitest";
import { CHUNK_SIZE, seal, splitIntoChunks, unseal } from "~/auth/sealed-cookie.server";

const data = { user: { sub: "1", realm: "demo" }, idToken: "a.b.c", createdAt: 1 };

describe("sealed session cookie", () => {
  it("round-trips data signed with the current secret", () => {
    expect(unseal(seal(data, "current"), ["current"])).toEqual(data);
  });

  it("still reads cookies signed with an older secret during rotation", () => {
    expect(unseal(seal(data, "old"), ["new", "old"])).toEqual(data);
  });

  it("refuses a cookie signed with an unknown secret", () => {
    expect(unseal(seal(data, "attacker"), ["current"])).toBeNull();
  });

  it("refuses tampered, truncated and malformed values", () => {
    const sealed = seal(data, "current");
    const [version, payload, signature] = sealed.split(".") as [string, string, string];
    const tampered = `${version}.${payload.slice(0, -2)}${payload.endsWith("A") ? "B" : "A"}${payload.slice(-1)}.${signature}`;
    for (const value of [tampered, sealed.slice(0, -3), `${sealed}.x`, "", "v1..", "v2.a.b", "garbage"]) {
      expect(unseal(value, ["current"])).toBeNull();
    }
  });

  it("splits long values into cookie-sized chunks that join back", () => {
    const long = "x".repeat(CHUNK_SIZE * 2 + 5);
    const chunks = splitIntoChunks(long);
    expect(chunks.map((chunk) => chunk.length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, 5]);
    expect(chunks.join("")).toBe(long);
  });
});
