import { afterEach, describe, expect, it, vi } from "vitest";
import { orderedNow } from "~/auth/core/clock";

afterEach(() => vi.useRealTimers());

describe("orderedNow", () => {
  it("is the wall clock in seconds, to the millisecond", () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 4_102_444_800_123 });
    expect(orderedNow()).toBeCloseTo(4_102_444_800.123, 5);
  });

  it("strictly increases while the wall clock stands still or steps back", () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 4_102_444_900_000 });
    const times = Array.from({ length: 1000 }, () => orderedNow());
    vi.setSystemTime(4_102_444_899_000);
    times.push(orderedNow());
    for (let index = 1; index < times.length; index++) expect(times[index]!).toBeGreaterThan(times[index - 1]!);
  });
});
