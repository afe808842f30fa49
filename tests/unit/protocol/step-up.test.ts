import { describe, expect, it } from "vitest";
import {
  decodeStepUp,
  encodeStepUp,
  meetsStepUp,
  stepUpFrom,
  stepUpParams,
  unmetStepUp,
} from "~/auth/protocol/step-up";

describe("step-up: what the login URL asks", () => {
  it.each([
    ["", null],
    ["max_age=300", { maxAge: 300 }],
    ["max_age=0", { maxAge: 10 }],
    ["max_age=-5", null],
    ["max_age=abc", null],
    ["acr_values=gold silver", { acr: ["gold", "silver"] }],
    ['acr_values=go"ld', null],
    ["max_age=60&acr_values=1", { maxAge: 60, acr: ["1"] }],
  ])("%s -> %j", (query, expected) => {
    expect(stepUpFrom(new URLSearchParams(query))).toEqual(expected);
  });

  it("round-trips through the authorization request's parameters", () => {
    const stepUp = { maxAge: 60, acr: ["gold", "silver"] };
    expect(stepUpFrom(new URLSearchParams(stepUpParams(stepUp)))).toEqual(stepUp);
  });
});

describe("step-up: a session's login", () => {
  const now = 1_000_000;
  it.each([
    [{ auth_time: now - 100 }, { maxAge: 300 }, true],
    [{ auth_time: now - 301 }, { maxAge: 300 }, false],
    [{}, { maxAge: 300 }, false],
    [{ auth_time: now, acr: "gold" }, { acr: ["gold"] }, true],
    [{ auth_time: now, acr: "1" }, { acr: ["gold"] }, false],
    [{ auth_time: now }, { acr: ["gold"] }, false],
  ])("%j meets %j: %s", (claims, stepUp, expected) => {
    expect(meetsStepUp(claims, stepUp, now)).toBe(expected);
  });
});

describe("step-up: the ID token a step-up login brings back", () => {
  const startedAt = 1_000_000;
  it("accepts an authentication after the login started, or within max_age before it", () => {
    expect(unmetStepUp({ auth_time: startedAt + 20 }, { maxAge: 10 }, startedAt)).toBeNull();
    expect(unmetStepUp({ auth_time: startedAt - 10 }, { maxAge: 10 }, startedAt)).toBeNull();
  });

  it("refuses the old auth_time of a provider that ignored max_age, and a missing one", () => {
    expect(unmetStepUp({ auth_time: startedAt - 3600 }, { maxAge: 10 }, startedAt)).toBe(
      "auth_time was 3600 s old when the login started, max_age 10",
    );
    expect(unmetStepUp({}, { maxAge: 10 }, startedAt)).toBe("max_age was asked and the ID token has no auth_time");
  });

  it("refuses another acr, or none", () => {
    expect(unmetStepUp({ acr: "1" }, { acr: ["gold"] }, startedAt)).toBe('acr "1" is not one of the asked gold');
    expect(unmetStepUp({}, { acr: ["gold"] }, startedAt)).toBe("acr null is not one of the asked gold");
  });

  it("keeps the request in the login's cookie entry, and reads nothing from a bad one", () => {
    expect(decodeStepUp(encodeStepUp({ maxAge: 10, acr: ["gold"] }, startedAt))).toEqual({
      maxAge: 10,
      acr: ["gold"],
      startedAt,
    });
    expect(decodeStepUp("not json")).toBeNull();
    expect(decodeStepUp('{"maxAge":10}')).toBeNull();
    expect(decodeStepUp(undefined)).toBeNull();
  });
});
