// docs/EXTENDING.md, "Take the module into your own Remix app", followed to the letter: a bare Remix 2 app
// made here, app/auth/ copied into it, each file of the section written as it stands in the docs, built and
// served with remix-serve, then a login and a logout through it against the dev IdP.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appClient } from "../../../dev/idp/app-client.js";
import { startIdp } from "../../../dev/idp/index.js";
import { freePort, startApp, TEST_CLIENT, type RunningApp } from "../../support/app";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import { continueIdpLogout, logInOverHttp } from "../../support/login";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const docs = readFileSync(join(root, "docs/EXTENDING.md"), "utf8");
const section = docs.slice(
  docs.indexOf("## Take the module into your own Remix app"),
  docs.indexOf("\n## ", docs.indexOf("## Take the module into your own Remix app") + 1),
);

/** The section's code blocks that name their file on the first line (`// app/…`): path -> source. */
function filesOfTheDocs(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [, code] of section.matchAll(/```tsx?\n([\s\S]*?)```/g)) {
    const path = /^\/\/ (app\/\S+)\n/.exec(code!)?.[1];
    if (path) files.set(path, code!);
  }
  return files;
}

/** The packages the section's `npm install` adds. */
const docsInstall = () => /npm install ([^`\n]+)/.exec(section)![1]!.split(" ");

/** What any Remix 2 app (classic compiler) has before the module: a config, a root, a tsconfig with `~/*`. */
function bareRemixApp(dir: string) {
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  // A Remix app's packages, and those the docs say to add, at this project's versions.
  const ours = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const remixApp = ["@remix-run/node", "@remix-run/react", "@remix-run/serve", "react", "react-dom", "isbot"];
  const dependencies = Object.fromEntries(
    [...remixApp, ...docsInstall()].flatMap((name) =>
      ours.dependencies[name] ? [[name, ours.dependencies[name]]] : [],
    ),
  );
  write("package.json", JSON.stringify({ name: "second-app", private: true, type: "module", dependencies }));
  write(
    "remix.config.js",
    `export default { ignoredRouteFiles: ["**/.*"], serverModuleFormat: "esm", future: { v3_singleFetch: true } };\n`,
  );
  write(
    "tsconfig.json",
    JSON.stringify({ compilerOptions: { jsx: "react-jsx", baseUrl: ".", paths: { "~/*": ["./app/*"] } } }),
  );
  write(
    "app/root.tsx",
    `import { Links, Meta, Outlet, Scripts } from "@remix-run/react";
export default function App() {
  return (
    <html lang="en">
      <head><Meta /><Links /></head>
      <body><Outlet /><Scripts /></body>
    </html>
  );
}
`,
  );
  // Its packages: this project's installed ones, which the docs' list names (checked below).
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
}

let dir: string;
let idp: Awaited<ReturnType<typeof startIdp>>;
let app: RunningApp;

beforeAll(async () => {
  mkdirSync(join(root, ".cache/tmp"), { recursive: true });
  dir = mkdtempSync(join(root, ".cache/tmp/second-app-"));
  bareRemixApp(dir);
  cpSync(join(root, "app/auth"), join(dir, "app/auth"), { recursive: true });
  for (const [path, source] of filesOfTheDocs()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const remix = join(root, "node_modules/@remix-run/dev/dist/cli.js");
  await promisify(execFile)(process.execPath, [remix, "build"], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" },
  });

  const port = await freePort();
  const url = `http://localhost:${port}`;
  idp = await startIdp({ realms: { demo: { clients: [appClient(url, "demo", TEST_CLIENT)] } } });
  app = await startApp({ port, cwd: dir, readyPath: "/", env: { KEYCLOAK_URL: idp.url, KEYCLOAK_REALM: "demo" } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await idp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the module taken into a second Remix app, as docs/EXTENDING.md says", () => {
  it("names every package the module imports, and gives each route and the instance a file", () => {
    const imported = new Set<string>();
    // The adapter for React Router 7 is not part of a Remix app (the docs say it may be deleted).
    const sources = readdirSync(join(root, "app/auth"), { recursive: true, encoding: "utf8" }).filter(
      (name) => /\.tsx?$/.test(name) && name !== "frameworks/react-router.server.ts",
    );
    for (const source of sources) {
      for (const [, spec] of readFileSync(join(root, "app/auth", source), "utf8").matchAll(/from "([^".~][^"]*)"/g)) {
        const parts = spec!.split("/");
        if (!spec!.startsWith("node:")) imported.add(spec!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!);
      }
    }
    expect(imported).toContain("oauth4webapi");
    const install = docsInstall();
    const alreadyThere = ["@remix-run/node", "react-dom"];
    expect([...imported].filter((name) => !install.includes(name) && !alreadyThere.includes(name))).toEqual([]);
    expect([...filesOfTheDocs().keys()]).toEqual(
      expect.arrayContaining(["app/auth.server.ts", "app/routes/auth.$realm.login.tsx", "app/routes/logout.ts"]),
    );
  });

  it("logs in and out through it against the dev IdP, and the IdP's session ends", async () => {
    const jar = new CookieJar();
    expect(textOf(await (await browse(jar, `${app.url}/`)).text())).toContain("Log in");

    const signedIn = await logInOverHttp(jar, { app: app.url, idp: idp.url });
    expect(signedIn.status).toBe(302);
    expect(textOf(await (await browse(jar, `${app.url}/`)).text())).toContain("Signed in as demo");

    idp.clearRequests();
    const logout = await browse(jar, `${app.url}/logout`, { method: "POST", headers: { Origin: app.url } });
    const endSession = new URL(logout.headers.get("location")!);
    expect(endSession.pathname).toBe("/realms/demo/protocol/openid-connect/logout");
    expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${app.url}/logout/callback`);
    expect(textOf(await (await browse(jar, `${app.url}/`)).text())).toContain("Log in");

    const idpPage = await follow(jar, logout, app.url, idp.url);
    const back = await continueIdpLogout(jar, idpPage, idp.url);
    expect(back).toBe(`${app.url}/logout/callback?state=${endSession.searchParams.get("state")}`);
    const page = await browse(jar, back);
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain("You are logged out");
    // The IdP received the end-session request with this session's ID token, and its session is gone:
    // a new login asks for the password again.
    expect(idp.requests.find((r) => r.path.endsWith("/logout"))?.query).toMatchObject({
      client_id: TEST_CLIENT.clientId,
      id_token_hint: expect.any(String),
    });
    const again = await follow(jar, await browse(jar, `${app.url}/auth/demo/login`), app.url, idp.url);
    expect(again.html).toMatch(/name="password"/);
  });
});
