// `npm run bench -- --profile`: the app alone under each load, with
// `node --cpu-prof`, and what the .cpuprofile says: self time per function and
// per package, per request, and what authentication adds to the same page.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logIn, sessionCookies } from "./login.js";
import { load, probeLogout } from "./measure.js";
import { sessionMint } from "./sessions.js";
import { appLogoutRequest, root, SESSION_SECRET, startApp } from "./servers.js";

const TOP = 15;

export async function profileApp({ idp, appUrl, seconds, connections, log, children }) {
  const scenarios = {
    anonymous: () => ({ url: `${appUrl}/` }),
    authenticated: (cookie) => ({ url: `${appUrl}/`, headers: { cookie } }),
    // One fresh session per logout, as in the benchmark (a logged-out session is dead): minted ahead.
    logout: async (cookie) => {
      const mint = await sessionMint({ cookie, secret: SESSION_SECRET });
      await mint.fill(1 + (seconds + 1) * 6000);
      const { end_session_endpoint } = await (
        await fetch(`${idp.issuer("demo")}/.well-known/openid-configuration`)
      ).json();
      const { expect, accept } = await probeLogout(appLogoutRequest(appUrl, mint.next()), end_session_endpoint);
      return { ...appLogoutRequest(appUrl, ""), nextCookie: () => mint.next(), expect, accept };
    },
  };
  const profiles = {};
  for (const [name, request] of Object.entries(scenarios)) {
    const dir = mkdtempSync(join(tmpdir(), "bench-prof-"));
    const app = await startApp({ url: appUrl, idp, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
    children.push(app);
    let measured;
    let window;
    try {
      const { callback } = await logIn({ loginUrl: `${appUrl}/auth/demo/login`, idpUrl: idp.url });
      const cookie = sessionCookies(callback, "__session").join("; ");
      const options = { ...(await request(cookie)), connections };
      await load({ ...options, seconds: 1 }); // warm-up, left out of the profile window
      const start = process.hrtime.bigint() / 1000n;
      measured = await load({ ...options, seconds });
      window = [Number(start), Number(process.hrtime.bigint() / 1000n)];
    } finally {
      await app.stop(); // SIGTERM: the server closes, node writes the profile
      children.splice(children.indexOf(app), 1);
    }
    const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no .cpuprofile in ${dir}`);
    const requests = measured.rps * seconds;
    profiles[name] = {
      ...summarize(JSON.parse(readFileSync(join(dir, file), "utf8")), window),
      requests,
      rps: measured.rps,
    };
    rmSync(dir, { recursive: true, force: true });
    log(`profiled ${name}: ${Math.round(measured.rps)} req/s under the profiler`);
  }
  const markdown = renderProfile(profiles, { seconds, connections });
  writeFileSync(new URL("profile.md", import.meta.url), markdown);
  console.log(markdown);
  log("wrote bench/profile.md");
}

/**
 * Self time (µs) per function and per package from a V8 .cpuprofile, counting
 * only samples inside `window` (µs, monotonic clock: the same as V8's) when
 * it overlaps the profile; idle time left out.
 */
export function summarize(profile, window) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  let time = profile.startTime;
  const inWindow = window && window[0] < profile.endTime && window[1] > profile.startTime;
  const byFunction = new Map();
  const byPackage = new Map();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (inWindow && (time < window[0] || time > window[1])) return;
    const { callFrame } = nodes.get(id);
    if (callFrame.functionName === "(idle)") return;
    busy += delta;
    const file = shortUrl(callFrame.url);
    const key = `${callFrame.functionName || "(anonymous)"}${file ? ` ${file}:${callFrame.lineNumber + 1}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
    const pkg = packageOf(callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + delta);
  });
  const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return { busy, functions: sorted(byFunction), packages: sorted(byPackage) };
}

function shortUrl(url) {
  if (!url) return "";
  const path = url.replace(/^file:\/\//, "");
  const modules = path.lastIndexOf("/node_modules/");
  if (modules >= 0) return path.slice(modules + "/node_modules/".length);
  return path.startsWith(root) ? path.slice(root.length) : path;
}

function packageOf({ url, functionName }) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node core";
  const file = shortUrl(url);
  if (file === "build/index.js") return "app (build/index.js)";
  if (file === "server.js") return "server.js";
  if (file !== url.replace(/^file:\/\//, ""))
    return file
      .split("/")
      .slice(0, file.startsWith("@") ? 2 : 1)
      .join("/");
  return file;
}

function renderProfile(profiles, { seconds, connections }) {
  const perRequest = (us, p) => (us / p.requests).toFixed(1);
  const share = (us, p) => `${((100 * us) / p.busy).toFixed(1)} %`;
  const sections = Object.entries(profiles).map(
    ([
      name,
      p,
    ]) => `## ${name}: ${Math.round(p.rps)} req/s under the profiler, ${perRequest(p.busy, p)} µs CPU per request

| Package | Self time | µs / request |
|---|---:|---:|
${p.packages
  .slice(0, 10)
  .map(([pkg, us]) => `| ${pkg} | ${share(us, p)} | ${perRequest(us, p)} |`)
  .join("\n")}

| Function (top ${TOP} by self time) | Self time | µs / request |
|---|---:|---:|
${p.functions
  .slice(0, TOP)
  .map(([fn, us]) => `| \`${fn}\` | ${share(us, p)} | ${perRequest(us, p)} |`)
  .join("\n")}
`,
  );
  const { anonymous: anon, authenticated: auth } = profiles;
  const anonPer = new Map(anon.functions.map(([fn, us]) => [fn, us / anon.requests]));
  const added = auth.functions
    .map(([fn, us]) => [fn, us / auth.requests - (anonPer.get(fn) ?? 0)])
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP);
  return `# CPU profile of the app

\`node --cpu-prof\` on the app's production server, one process per load, ${seconds} s of autocannon
(${connections} connections) after 1 s of warm-up; only samples of the measured window, idle time left out.
Self time is time in the function itself, not in what it calls.

${sections.join("\n")}
## What authentication adds to \`/\` (authenticated − anonymous, µs per request)

CPU per request: anonymous ${perRequest(anon.busy, anon)} µs, authenticated ${perRequest(auth.busy, auth)} µs.

| Function | + µs / request |
|---|---:|
${added.map(([fn, us]) => `| \`${fn}\` | ${us.toFixed(1)} |`).join("\n")}
`;
}
