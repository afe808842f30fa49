import { describe, expect, it } from "vitest";
import { allowedAlgorithms } from "~/auth/protocol/jwt.server";

// The ID token itself is validated by oauth4webapi inside OIDCStrategy: tests/integration/conformance/basic-rp.test.ts
// (through the app, one test per Basic RP module) and tests/integration/app/id-token.test.ts.
describe("allowedAlgorithms (logout tokens)", () => {
  it.each([
    [
      ["RS256", "HS256", "none", "ES256"],
      ["RS256", "ES256"],
    ],
    [["HS256", "none"], ["RS256"]],
    [undefined, ["RS256"]],
    [
      ["PS256", "EdDSA"],
      ["PS256", "EdDSA"],
    ],
  ])("keeps only asymmetric algorithms of %j", (discovered, allowed) => {
    expect(allowedAlgorithms(discovered)).toEqual(allowed);
  });
});
