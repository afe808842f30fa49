#!/usr/bin/env node
// `npm run shape`: measures app/auth against the targets of its layout
// (docs/decisions/008-auth-module-layout.md): no file over 250 lines, no
// folder over 9 files, no import circle, and imports that run one way, from
// the entry down the layers below. Prints the measures; exits 1 on a breach.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MAX_LINES = 250;
const MAX_FILES = 9;
/** Top to bottom: a module may import its own folder and the folders after it. */
export const LAYERS = ["frameworks", "flows", "tokens", "providers", "session", "keycloak", "protocol", "http", "core"];

const authDir = resolve(dirname(fileURLToPath(import.meta.url)), "../app/auth");

function modulesIn(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? modulesIn(path) : /\.tsx?$/.test(name) ? [relative(authDir, path)] : [];
  });
}

function importsOf(file) {
  const source = readFileSync(join(authDir, file), "utf8");
  return [...source.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+|~\/auth\/[^"]+)"/g)].map(([, spec]) => {
    const target = spec.startsWith("~/auth/")
      ? spec.slice("~/auth/".length)
      : relative(authDir, join(authDir, dirname(file), spec));
    return [`${target}.ts`, `${target}.tsx`].find((candidate) => modules.includes(candidate)) ?? `${target} (missing)`;
  });
}

const layerOf = (file) => (file.includes("/") ? LAYERS.indexOf(file.split("/")[0]) : -1);

const modules = modulesIn(authDir).sort();
const graph = new Map(modules.map((file) => [file, importsOf(file)]));
const problems = [];

const folders = new Map();
for (const file of modules) {
  const folder = file.includes("/") ? file.split("/")[0] : ".";
  const lines = readFileSync(join(authDir, file), "utf8").split("\n").length - 1;
  const entry = folders.get(folder) ?? { files: 0, lines: 0, largest: ["", 0] };
  entry.files += 1;
  entry.lines += lines;
  if (lines > entry.largest[1]) entry.largest = [file, lines];
  folders.set(folder, entry);
  if (lines > MAX_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_LINES})`);
  if (folder !== "." && layerOf(file) < 0) problems.push(`${file}: folder ${folder} is not one of the layers`);
}
for (const [folder, { files }] of folders) {
  if (files > MAX_FILES) problems.push(`${folder}/: ${files} files (at most ${MAX_FILES})`);
}

for (const [file, targets] of graph) {
  for (const target of targets) {
    if (target.endsWith("(missing)")) problems.push(`${file} imports ${target}`);
    else if (layerOf(target) < 0 && layerOf(file) >= 0)
      problems.push(`${file} imports ${target}: the layers never import the entry or the factory above them`);
    else if (layerOf(file) >= 0 && layerOf(target) < layerOf(file))
      problems.push(`${file} imports ${target}: imports run ${LAYERS.join(" -> ")}`);
  }
}

// Circles: a depth-first walk, reporting each back edge's circle once.
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, "open");
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    if (state.get(target) === "open")
      problems.push(`import circle: ${[...stack.slice(stack.indexOf(target)), target].join(" -> ")}`);
    else if (!state.has(target) && graph.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, "done");
}
for (const file of modules) if (!state.has(file)) visit(file);

console.log("app/auth by folder (imports run down this list):");
for (const folder of [".", ...LAYERS]) {
  const entry = folders.get(folder);
  if (!entry) continue;
  const [file, lines] = entry.largest;
  console.log(
    `  ${folder.padEnd(10)} ${String(entry.files).padStart(2)} files ${String(entry.lines).padStart(5)} lines, largest ${file} (${lines})`,
  );
}
console.log(`  ${modules.length} modules, ${[...graph.values()].flat().length} imports between them`);
if (problems.length > 0) {
  console.error(`\n${problems.length} target(s) not met:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  process.exit(1);
}
console.log("Targets met: files <= 250 lines, folders <= 9 files, no import circle, imports one way.");
