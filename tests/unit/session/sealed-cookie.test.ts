import { inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CHUNK_SIZE, decrypt, encrypt, seal, splitIntoChunks, unseal } from "~/auth/session/sealed-cookie.server";

const data = { user: { sub: "1", realm: "demo" }, idToken: "a.b.c", createdAt: 1 };

/** What someone without the secret could read from bytes: as they are, and inflated, if they inflate. */
function readable(bytes: Buffer): string[] {
  try {
    return [bytes.toString("latin1"), inflateRawSync(bytes).toString("latin1")];
  } catch {
    return [bytes.toString("latin1")];
  }
}

describe("signed values (the logout state)", () => {
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

describe("encrypted session cookie", () => {
  const session = {
    user: { sub: "1", realm: "demo", username: "alice", email: "alice@example.com" },
    idToken: "a.b.c",
    createdAt: 1,
  };

  it("round-trips data encrypted with the current secret", async () => {
    expect(await decrypt(await encrypt(session, "current"), ["current"])).toEqual(session);
  });

  it("is a compact JWE whose parts show nothing of the data", async () => {
    const value = await encrypt(session, "current");
    const [header, ...rest] = value.split(".");
    expect(JSON.parse(Buffer.from(header!, "base64url").toString())).toEqual({ alg: "dir", enc: "A256GCM" });
    for (const text of [value, ...rest.flatMap((part) => readable(Buffer.from(part, "base64url")))]) {
      for (const secret of ["alice", "example.com", '"user"', "realm", "idToken"]) expect(text).not.toContain(secret);
    }
  });

  it("cannot be decrypted with another secret", async () => {
    expect(await decrypt(await encrypt(session, "current"), ["another", "a-third"])).toBeNull();
  });

  it("still reads values encrypted with an older secret during rotation", async () => {
    expect(await decrypt(await encrypt(session, "old"), ["new", "old"])).toEqual(session);
  });

  it("refuses tampered, truncated, oversized and malformed values", async () => {
    const value = await encrypt(session, "current");
    const [header, key, iv, ciphertext, tag] = value.split(".") as [string, string, string, string, string];
    const flipped = `${ciphertext.slice(0, -2)}${ciphertext.at(-2) === "A" ? "B" : "A"}${ciphertext.at(-1)}`;
    const candidates = [
      [header, key, iv, flipped, tag].join("."),
      value.slice(0, -3),
      `${value}.x`,
      seal(session, "current"),
      "",
      "....",
      "garbage",
    ];
    for (const candidate of candidates) expect(await decrypt(candidate, ["current"])).toBeNull();
    expect(await decrypt(value, ["current"], value.length - 1)).toBeNull();
  });
});
