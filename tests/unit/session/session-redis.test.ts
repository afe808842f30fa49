// The Redis store's id cookie is the one Remix's createSessionStorage made: sessions started before survive.
import { createCookie } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { readSessionId, signSessionId } from "~/auth/session/session-redis.server";

const SECRETS = ["new-secret-of-at-least-32-characters", "old-secret-of-at-least-32-characters"];
const remixCookie = (secret: string) => createCookie("__session_id", { secrets: [secret] });
const valueOf = (setCookie: string) => setCookie.split(";")[0]!.slice("__session_id=".length);

describe("the Redis session id cookie", () => {
  it("reads an id that Remix's cookie signed, with the current or an older secret", async () => {
    for (const secret of SECRETS) {
      const value = valueOf(await remixCookie(secret).serialize("c2Vzc2lvbi1pZA"));
      expect(readSessionId(value, SECRETS)).toBe("c2Vzc2lvbi1pZA");
    }
  });

  it("signs an id as Remix's cookie does, so Remix reads it too", async () => {
    const value = signSessionId("c2Vzc2lvbi1pZA", SECRETS[0]!);
    expect(await remixCookie(SECRETS[0]!).parse(`__session_id=${value}`)).toBe("c2Vzc2lvbi1pZA");
  });

  it.each([
    ["another secret", signSessionId("c2Vzc2lvbi1pZA", "someone-elses-secret-of-32-characters")],
    ["a changed id", signSessionId("c2Vzc2lvbi1pZA", SECRETS[0]!).replace(/^[A-Za-z]/, "A")],
    ["no signature", encodeURIComponent(Buffer.from('"c2Vzc2lvbi1pZA"').toString("base64"))],
    ["bad percent-encoding", "%E0%A4%A"],
    ["an empty value", ""],
  ])("reads no id from a value with %s", (_, value) => {
    expect(readSessionId(value, SECRETS)).toBeNull();
  });
});
