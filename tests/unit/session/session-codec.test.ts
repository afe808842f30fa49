import { describe, expect, it } from "vitest";
import { fromStored, toStored, type AuthSessionData } from "~/auth/session/session-data.server";

const jwt = (header: object, payload: object, signature = "c2lnbmF0dXJl") =>
  [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).join(".") + `.${signature}`;
const session = (idToken: string): AuthSessionData => ({
  user: { realm: "demo", sub: "1", username: "alice" },
  idToken,
  createdAt: 1,
});

describe("the session as stored in the cookie", () => {
  it.each([
    ["a JWT", jwt({ alg: "RS256", kid: "k" }, { sub: "1", groups: ["/a", "/b"], name: "Zoë" })],
    ["a JWT whose payload has a newline and quotes", jwt({ alg: "RS256" }, { note: 'line\n"two"' })],
    [
      "a part that is not canonical base64url",
      `${jwt({ alg: "RS256" }, { sub: "1" }).split(".")[0]}.eyJzdWIiOiIxIn0B.c2ln`,
    ],
    [
      "a part that is not UTF-8",
      `${jwt({ alg: "RS256" }, {}).split(".")[0]}.${Buffer.from([0xff, 0xfe]).toString("base64url")}.c2ln`,
    ],
    ["no JWT at all", "a.b.c.d"],
    ["a string without dots", "opaque"],
  ])("gives back %s byte for byte", (_, idToken) => {
    const stored = JSON.parse(JSON.stringify(toStored(session(idToken))));
    expect(fromStored(stored)).toEqual(session(idToken));
  });

  it("keeps a JWT's header and payload as JSON text, which compresses better than base64url", () => {
    const stored = toStored(session(jwt({ alg: "RS256" }, { sub: "1" })));
    expect(stored.idToken).toEqual(['{"alg":"RS256"}', '{"sub":"1"}', "c2lnbmF0dXJl"]);
  });

  it.each([
    ["null", null],
    ["a string", "x"],
    [
      "a token of the wrong shape",
      { user: { realm: "demo", sub: "1", username: "a" }, idToken: ["{}", 1, "x"], createdAt: 1 },
    ],
    ["a user without realm", { user: { sub: "1", username: "a" }, idToken: "a.b.c", createdAt: 1 }],
    ["no createdAt", { user: { realm: "demo", sub: "1", username: "a" }, idToken: "a.b.c" }],
  ])("reads %s as no session", (_, value) => {
    expect(fromStored(value)).toBeNull();
  });

  it("keeps the access and refresh tokens, JWTs as JSON text, and gives them back byte for byte", () => {
    const accessToken = jwt({ alg: "RS256", typ: "JWT" }, { realm_access: { roles: ["admin"] } });
    const tokens = { accessToken, refreshToken: jwt({ alg: "HS512" }, { typ: "Refresh" }), expiresAt: 1300 };
    const withTokens = { ...session(jwt({ alg: "RS256" }, { sub: "1" })), tokens };
    const stored = JSON.parse(JSON.stringify(toStored(withTokens)));
    expect(stored.tokens.accessToken[1]).toBe('{"realm_access":{"roles":["admin"]}}');
    expect(fromStored(stored)).toEqual(withTokens);
    expect(fromStored({ ...stored, tokens: null })).toEqual({ ...withTokens, tokens: null });
    expect(fromStored({ ...stored, tokens: { accessToken: 5 } })).toBeNull();
  });
});
