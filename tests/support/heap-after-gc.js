// Loaded into the app under test (NODE_OPTIONS=--import=<this file>, HEAP_AFTER_GC_FILE set):
// on SIGUSR2 a full garbage collection, then the memory still held (V8 heap and
// external buffers) appended to that file as one JSON line. What a leak grows,
// without the garbage and spare heap that make one RSS reading swing.
import { appendFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

const file = process.env.HEAP_AFTER_GC_FILE;
if (file) {
  process.on("SIGUSR2", async () => {
    const session = new Session();
    session.connect();
    await session.post("HeapProfiler.collectGarbage");
    session.disconnect();
    const { heapUsed, external } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ heapUsed, external })}\n`);
  });
}
