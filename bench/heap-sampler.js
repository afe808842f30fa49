// What the app's heap holds after each full GC during the soak, which RSS
// (garbage included, and the heap V8 keeps for it) only hints at.
// In the app (`node --import ./bench/heap-sampler.js`, BENCH_HEAP_LOG set): one
// JSON line per mark-compact GC. In the bench: `heapLog()` sets that up and reads it.
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

if (process.env.BENCH_HEAP_LOG) {
  const file = process.env.BENCH_HEAP_LOG;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      appendFileSync(file, `${JSON.stringify({ at: Date.now(), used: getHeapStatistics().used_heap_size })}\n`);
    }
  }).observe({ entryTypes: ["gc"] });
}

/** The app's start options for sampling, and per time range (`{ start, end }`) the lowest heap after a full GC (MiB). */
export function heapLog() {
  const file = join(tmpdir(), `bench-heap-${process.pid}.jsonl`);
  rmSync(file, { force: true });
  return {
    appOptions: { nodeArgs: ["--import", "./bench/heap-sampler.js"], env: { BENCH_HEAP_LOG: file } },
    lowestPerCycle(ranges) {
      const gcs = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      rmSync(file, { force: true });
      return ranges.map(({ start, end }) =>
        Math.min(...gcs.filter((gc) => gc.at >= start && gc.at < end).map((gc) => gc.used / 2 ** 20)),
      );
    },
  };
}
