// One of the app's own modules, bundled from its TypeScript source with esbuild, for measurements that run its
// code in the bench's process (its packages are imported from node_modules as the app's are).
import { mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { root } from "./servers.js";

/** @param {string} source a path below the repository, e.g. "app/auth/protocol/dpop.server.ts" */
export async function importAppModule(source) {
  const outfile = join(root, "node_modules/.cache/bench", `${basename(source).replace(/\.tsx?$/, "")}.mjs`);
  mkdirSync(join(outfile, ".."), { recursive: true });
  await build({
    entryPoints: [join(root, source)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}
