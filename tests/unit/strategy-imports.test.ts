// The strategy could be published as a package: it and everything it imports
// know nothing of the app's configuration, session or routes.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const authDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../app/auth");

function localImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, path] of readFileSync(resolve(authDir, `${file}.ts`), "utf8").matchAll(
    /from "(\.\/[^"]+|~\/[^"]+)"/g,
  )) {
    expect(path, `${file} imports ${path}`).toMatch(/^\.\//);
    localImports(path!.slice(2), seen);
  }
  return seen;
}

describe("OIDCStrategy's modules", () => {
  it.each(["oidc-strategy.server", "keycloak.server"])(
    "%s imports nothing of the app's config, session or routes",
    (entry) => {
      const modules = [...localImports(entry)];
      expect(modules).toContain("oidc-protocol.server");
      const app = [
        "config.server",
        "session.server",
        "authenticator.server",
        "login.server",
        "logout.server",
        "providers.server",
      ];
      expect(modules.filter((name) => app.includes(name) || name.startsWith("routes"))).toEqual([]);
    },
  );
});
