import { describe, expect, it } from "vitest";
import { readableLine } from "~/auth/core/log.server";

describe("the development log line", () => {
  it("is short and readable: time, event, realm, outcome, then what else there is", () => {
    const line = readableLine({
      time: "2026-11-30T14:03:09.123Z",
      event: "login_failed",
      realm: "demo",
      outcome: "failure",
      code: "idp_error",
      detail: "access_denied",
      sub: undefined,
      requestId: "7f3a9c",
    });
    expect(line).toBe("14:03:09 login_failed demo: failure code=idp_error detail=access_denied");
  });

  it("names who signed in at a login", () => {
    const line = readableLine({
      time: "2026-11-30T14:03:09.123Z",
      event: "login",
      realm: "demo",
      outcome: "success",
      username: "big",
      sub: "2f1c",
    });
    expect(line).toBe("14:03:09 login demo: success username=big sub=2f1c");
  });

  it("escapes control characters in a value, so it cannot fake a line of its own", () => {
    const line = readableLine({
      time: "2026-11-30T14:03:09.123Z",
      event: "login",
      realm: "demo",
      outcome: "success",
      username: "eve\n14:03:10 login demo: success username=admin",
    });
    expect(line).toBe("14:03:09 login demo: success username=eve\\n14:03:10 login demo: success username=admin");
    expect(line.split("\n")).toHaveLength(1);
  });
});
