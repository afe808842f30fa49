// The nginx configuration of docs/DEPLOY.md, as written there, run by a real
// nginx in front of the app: what users deploy is what the proxy test runs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNginx, startNginx } from "../../dev/nginx/index.js";

export { findNginx };

/** nginx in front of the app at `https://localhost:<port>`, with DEPLOY.md's config. */
export interface Proxy {
  url: string;
  accessLog(): string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** A self-signed certificate for `localhost`, made now (never committed). */
export function makeCertificate(dir: string): { certificate: string; key: string } {
  const [certificate, key] = [join(dir, "localhost.crt"), join(dir, "localhost.key")];
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost", "-keyout", key, "-out", certificate],
    ],
    { stdio: "ignore" },
  );
  return { certificate, key };
}

/**
 * DEPLOY.md's nginx block with only what a machine changes: ports, names,
 * file paths, the public URL (APP_URL) with its port, and `$http_host` for
 * `$host`, as DEPLOY.md says when the public URL has a port. `leaveOut` drops
 * the lines with those directives, to show what they are for. Each
 * replacement must match, so a changed guide fails here first.
 */
export function deployGuideNginxConfig(options: {
  port: number;
  redirectPort: number;
  appPort: number;
  certificate: string;
  key: string;
  accessLog: string;
  leaveOut?: string[];
}): string {
  const guide = readFileSync(new URL("../../docs/DEPLOY.md", import.meta.url), "utf8");
  const block = /```nginx\n([\s\S]*?)```/.exec(guide)?.[1];
  if (!block) throw new Error("docs/DEPLOY.md has no nginx block");
  let config: string = block;
  const replacements: [string, string][] = [
    ["listen 80;", `listen 127.0.0.1:${options.redirectPort};`],
    ["listen 443 ssl;", `listen 127.0.0.1:${options.port} ssl;`],
    ["server_name app.example.com;", "server_name localhost;"],
    // The public URL (APP_URL) has a port here.
    ["https://app.example.com$request_uri", `https://localhost:${options.port}$request_uri`],
    ["/etc/letsencrypt/live/app.example.com/fullchain.pem", options.certificate],
    ["/etc/letsencrypt/live/app.example.com/privkey.pem", options.key],
    ["/var/log/nginx/app.access.log", options.accessLog],
    ["http://127.0.0.1:3000", `http://127.0.0.1:${options.appPort}`],
    ["proxy_set_header Host $host;", "proxy_set_header Host $http_host;"],
    ["proxy_set_header X-Forwarded-Host $host;", "proxy_set_header X-Forwarded-Host $http_host;"],
  ];
  for (const [from, to] of replacements) {
    if (!config.includes(from)) throw new Error(`docs/DEPLOY.md's nginx block has no "${from}"`);
    config = config.replaceAll(from, to);
  }
  for (const directive of options.leaveOut ?? []) {
    const kept = config.split("\n").filter((line) => !line.trim().startsWith(`${directive} `));
    if (kept.length === config.split("\n").length) throw new Error(`no ${directive} in DEPLOY.md's nginx block`);
    config = kept.join("\n");
  }
  return config;
}

/** Starts nginx with DEPLOY.md's config (minus `leaveOut`) on `port`, forwarding to the app on `appPort`. */
export async function startProxy(options: {
  port: number;
  redirectPort: number;
  appPort: number;
  leaveOut?: string[];
}): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), "nginx-"));
  const accessLog = join(dir, "logs", "app.access.log");
  const config = deployGuideNginxConfig({ ...options, ...makeCertificate(dir), accessLog });
  const nginx = await startNginx({ config, dir, port: options.port });
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  };
  return {
    url: `https://localhost:${options.port}`,
    accessLog: () => read(accessLog),
    errorLog: () => read(join(dir, "logs", "error.log")),
    stop: () => nginx.stop(),
  };
}
