// The strategy could be published as a package: it and everything it imports
// know nothing of the app's configuration, session or routes.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const authDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../app/auth");

/** Every module of app/auth that `file` (a path below it, without `.ts`) imports, directly or not. */
function localImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, path] of readFileSync(resolve(authDir, `${file}.ts`), "utf8").matchAll(
    /from "(\.{1,2}\/[^"]+|~\/[^"]+)"/g,
  )) {
    expect(path, `${file} imports ${path}`).toMatch(/^\.{1,2}\//);
    localImports(relative(authDir, join(authDir, dirname(file), path!)), seen);
  }
  return seen;
}

describe("OIDCStrategy's modules", () => {
  it.each(["protocol/oidc-strategy.server", "keycloak/keycloak-strategy.server"])(
    "%s imports nothing of the app's config, session, providers or flows",
    (entry) => {
      const modules = [...localImports(entry)];
      expect(modules).toContain("protocol/oidc-protocol.server");
      const outside = modules.filter(
        (name) => !/^(protocol|keycloak|http|core)\//.test(name) || name === "core/config.server",
      );
      expect(outside).toEqual([]);
    },
  );
});
