import { describe, expect, it } from "vitest";
import { requestId } from "~/auth/core/request-id.server";

const withId = (id?: string) =>
  new Request("http://localhost/", { headers: id === undefined ? {} : { "X-Request-Id": id } });
const OURS = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestId", () => {
  it.each(["a", "3f2a9c0e1b7d4e6f8a9b0c1d2e3f4a5b", "proxy-id-1.2:3", "x".repeat(64)])(
    "keeps the proxy's well-formed id %s",
    (id) => {
      expect(requestId(withId(id))).toBe(id);
    },
  );

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(65)],
    ["with a space", "a b"],
    ["with markup", "<script>"],
    ["with a quote", 'a"b'],
    ["with a newline escape", "a\\nb"],
  ])("replaces an id that is %s with one of ours", (_label, id) => {
    expect(requestId(withId(id))).toMatch(OURS);
  });

  it("makes one id per request, the same on every call", () => {
    const request = withId();
    const first = requestId(request);
    expect(first).toMatch(OURS);
    expect(requestId(request)).toBe(first);
    expect(requestId(withId())).not.toBe(first);
  });
});
