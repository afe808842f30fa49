// Property-based: whatever returnTo is made of, what comes out stays on this origin.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizeReturnTo } from "~/auth/flows/return-to";

const runs = {
  numRuns: Number(process.env.FC_RUNS ?? 1000),
  seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
};
const BASE = "https://app.example.com";

/** Paths built from the pieces open-redirect payloads are made of: slashes, dot segments, encodings, hosts. */
const hostilePath = fc
  .array(fc.constantFrom("/", "//", ".", "..", "%2e", "%2f", "\\", "\t", "evil.test", "a", "?", "#", "%"), {
    maxLength: 10,
  })
  .map((pieces) => `/${pieces.join("")}`);

describe("sanitizeReturnTo", () => {
  it("returns a path that a browser resolves on this origin, and that it keeps as is", () => {
    fc.assert(
      fc.property(fc.oneof(hostilePath, fc.string()), (value) => {
        const result = sanitizeReturnTo(value);
        expect(result.startsWith("/")).toBe(true);
        expect(result.startsWith("//")).toBe(false);
        expect(new URL(result, BASE).origin).toBe(BASE);
        expect(sanitizeReturnTo(result)).toBe(result);
      }),
      runs,
    );
  });
});
