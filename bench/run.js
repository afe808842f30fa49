// `npm run bench`: the app against an express-openid-connect peer, same IdP,
// same machine, same run. `npm run bench -- --profile` profiles the app instead.
// Options: --rounds N (5), --seconds S (3), --connections C (10), --workers W (4),
// --soak S (60: the app's RSS and heap under the loads after the rounds; 0 skips it),
// --round-trips N (10: Chromium cycles per app and placement of the provider; 0 skips them), --away MS (50: the
// round trip to the "away" provider), --dev-idp (the dev IdP even when Keycloak could run),
// --round-trips-only (just those, replacing their section of results.md).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { logIn, sessionCookies } from "./login.js";
import {
  authorizeRequests,
  average,
  countBackChannel,
  cycleTrend,
  load,
  loginLoad,
  median,
  probeLogout,
  sampleRss,
  soak,
} from "./measure.js";
import { heapLog } from "./heap-sampler.js";
import { profileApp } from "./profile.js";
import { renderMarkdown, renderSvg } from "./report.js";
import { measureRoundTrips } from "./round-trips.js";
import { renderRoundTrips, withRoundTrips } from "./round-trips-report.js";
import { resealedCookieBytes, sessionMint } from "./sessions.js";
import {
  APP_CLIENT,
  appLogoutRequest,
  buildIfStale,
  PEER_CLIENT,
  SESSION_SECRET,
  startApp,
  startIdentityProvider,
  startPeer,
} from "./servers.js";

const DISCOVERY_PATH = "/.well-known/openid-configuration";

const { values: options } = parseArgs({
  options: {
    profile: { type: "boolean", default: false },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    workers: { type: "string", default: "4" },
    soak: { type: "string", default: "60" },
    "round-trips": { type: "string", default: "10" },
    "round-trips-only": { type: "boolean", default: false },
    away: { type: "string", default: "50" },
    "dev-idp": { type: "boolean", default: false },
  },
});
const [roundTripCount, awayMs] = [Number(options["round-trips"]), Number(options.away)];
const [rounds, seconds, connections, workers, soakSeconds] = [
  "rounds",
  "seconds",
  "connections",
  "workers",
  "soak",
].map((name) => Number(options[name]));

// The app's heap after each full GC, for the soak (bench/heap-sampler.js).
const heapSampler = heapLog();
const log = (message) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const children = [];
// Every load stops by itself; this is the backstop for a hang. Keycloak's first start alone can take minutes.
const backstopMinutes = (options["round-trips-only"] ? 0 : 8) + (roundTripCount > 0 ? 8 : 0);
setTimeout(() => {
  log(`still running after ${backstopMinutes} minutes: giving up`);
  for (const child of children) child.kill();
  process.exit(2);
}, backstopMinutes * 60_000).unref();

// Ctrl-C too: Keycloak (round trips) runs in its own process group and would outlive the bench.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const child of children) child.kill();
    process.exit(130);
  });
}

if (buildIfStale()) log("built the app (npm run build)");
if (options["round-trips-only"]) {
  const roundTrips = await roundTripsIfAsked();
  const resultsFile = new URL("results.md", import.meta.url);
  const section = renderRoundTrips(roundTrips, runMeta());
  writeFileSync(resultsFile, withRoundTrips(readFileSync(resultsFile, "utf8"), section));
  console.log(section);
  log("replaced the round-trip section of bench/results.md");
  process.exit(0);
}
const { idp, appUrl, peerUrl } = await startIdentityProvider();
try {
  if (options.profile) {
    await profileApp({ idp, appUrl, seconds: Math.max(seconds, 5), connections, log, children });
  } else {
    children.push(
      await startApp({ url: appUrl, idp, ...heapSampler.appOptions }),
      await startPeer({ url: peerUrl, idp }),
    );
    await benchmark(children);
  }
} finally {
  // The round trips leave a kill-only entry for Keycloak (its own process group), already stopped by then.
  await Promise.all(children.map((child) => (child.stop ? child.stop() : child.kill())));
  await idp.close();
}

async function benchmark([app, peer]) {
  log(`app ${app.url} (pid ${app.pid}), peer ${peer.url} (pid ${peer.pid}), IdP ${idp.url}`);
  const discovery = await (await fetch(`${idp.issuer("demo")}/.well-known/openid-configuration`)).json();
  const targets = [
    {
      key: "app",
      server: app,
      clientId: APP_CLIENT.clientId,
      loginUrl: `${app.url}/auth/demo/login`,
      cookiePrefix: "__session",
      logout: (cookie) => appLogoutRequest(app.url, cookie),
      // Every logout ends its session for good (issue 14.3): one fresh session per request.
      checkLogout: checkedAppLogout,
    },
    {
      key: "peer",
      server: peer,
      clientId: PEER_CLIENT.clientId,
      loginUrl: `${peer.url}/login`,
      cookiePrefix: "appSession",
      logout: (cookie) => ({ url: `${peer.url}/logout`, headers: { cookie } }),
      // express-openid-connect's logout is stateless: its cookie stays valid, one serves every request.
      checkLogout: checkedPeerLogout,
    },
  ];
  const results = {};
  for (const target of targets) {
    results[target.key] = {
      cookies: await sessionSizes(target),
      runs: {},
      logins: 0,
      logouts: 0,
      idp: countBackChannel([]),
      idpPerLogoutRun: countBackChannel([]),
      idpDuringPages: [],
      probesAhead: { probes: 0, seconds: 0 },
      idpDuringProtected: { requests: 0, views: 0 },
    };
    Object.assign(target, await checkedSession(target));
    Object.assign(target, await target.checkLogout(target, discovery.end_session_endpoint));
    results[target.key].logoutAnswer = target.logoutAnswer;
  }

  const requests = {
    anonymous: (t) => ({ url: `${t.server.url}/` }),
    authenticated: (t) => ({ url: `${t.server.url}/`, headers: { cookie: t.cookie } }),
    protected: (t) => ({ url: `${t.server.url}/account`, headers: { cookie: t.cookie } }),
    // The same logout route without a session: each server's answer is a plain redirect (the app: a
    // resource route's loader, 303 to `/`), the least a route can cost under that server.
    redirect: (t) => ({ url: `${t.server.url}/logout`, expect: "3xx" }),
    logout: (t) => ({
      ...t.logout(""),
      nextCookie: t.nextLogoutCookie,
      expect: t.logoutExpect,
      accept: t.logoutAccept,
    }),
  };
  const run = async (scenario, target, duration) => {
    if (scenario === "login")
      return loginLoad({
        loginUrl: target.loginUrl,
        idpUrl: idp.url,
        seconds: duration,
        workers,
        pid: target.server.pid,
      });
    await target.beforeLogoutLoad?.(scenario, duration);
    return load({ ...requests[scenario](target), seconds: duration, connections, pid: target.server.pid });
  };
  // Anonymous and authenticated back to back, so their ratio (the cost of auth) sees the same conditions.
  // So are the logout and the plain redirect (what the logout costs above the server's floor).
  const groups = [["anonymous", "authenticated"], ["protected"], ["logout", "redirect"], ["login"]];

  const rss = sampleRss(Object.fromEntries(targets.map((t) => [t.key, t.server.pid])));
  log("warm-up: 1 s of each load per app");
  for (const target of targets) for (const scenario of groups.flat()) await run(scenario, target, 1);

  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: ${groups.flat().length} loads x 2 apps x ${seconds} s`);
    // Alternate which app, and which of a pair, goes first: drift (heat, other load) then favours neither.
    const alternate = (list) => (round % 2 ? list : [...list].reverse());
    for (const group of groups) {
      for (const target of alternate(targets)) {
        for (const scenario of alternate(group)) {
          // Requests still in flight when the last load stopped (a probe, a userinfo call) reach the IdP late:
          // let them land before counting this run's.
          await new Promise((resolve) => setTimeout(resolve, 300));
          idp.clearRequests();
          const measured = await run(scenario, target, seconds);
          const summary = results[target.key];
          (summary.runs[scenario] ??= []).push(measured);
          if (scenario === "logout") {
            // Each logout may ask the provider whether it answers (one discovery GET; concurrent ones share it).
            summary.logouts += Math.round(measured.rps * seconds);
            for (const [kind, count] of Object.entries(countBackChannel(idp.requests)))
              summary.idpPerLogoutRun[kind] += count;
            continue;
          }
          if (scenario === "protected") {
            // The app's /account calls the userinfo API with the access token on every view (issue 17.3).
            summary.idpDuringProtected.requests += idp.requests.length;
            summary.idpDuringProtected.views += Math.round(measured.rps * seconds);
            continue;
          }
          if (scenario !== "login") {
            // A page with Log in or Log out may ask whether the provider answers, ahead of the click (decision
            // 011): one discovery GET per provider per IDP_CONTACT_WINDOW_MS at most. Anything else is counted.
            const ahead = idp.requests.filter((r) => r.method === "GET" && r.path.endsWith(DISCOVERY_PATH));
            summary.probesAhead.probes += ahead.length;
            summary.probesAhead.seconds += seconds;
            const other = idp.requests.filter((r) => !ahead.includes(r));
            summary.idpDuringPages.push(...other.map((r) => `${r.method} ${r.path}`));
            continue;
          }
          const other = targets.find((t) => t !== target);
          if (authorizeRequests(idp.requests, other.clientId) > 0)
            throw new Error(`${other.key} logged in during ${target.key}'s round`);
          summary.logins += measured.logins;
          for (const [kind, count] of Object.entries(countBackChannel(idp.requests))) summary.idp[kind] += count;
        }
      }
    }
  }
  const peaks = rss.stop();

  let soaked;
  if (soakSeconds > 0) {
    const [appTarget] = targets;
    // The plain redirect measures the server, not the app: it is left out of the soak.
    const scenarios = groups.flat().filter((scenario) => scenario !== "login" && scenario !== "redirect");
    log(`soak: the app alone, cycles of ${scenarios.join(", ")} for about ${soakSeconds} s, RSS every second`);
    soaked = await soak({
      pid: app.pid,
      seconds: soakSeconds,
      scenarios,
      run: (scenario, duration) => run(scenario, appTarget, duration),
    });
    const lows = heapSampler.lowestPerCycle(soaked.cycleTimes);
    soaked.heap = { cycleLows: lows, mean: average(lows), trend: cycleTrend(soaked.cycleTimes, lows) };
  }

  for (const target of targets) {
    const summary = results[target.key];
    const { runs } = summary;
    for (const [scenario, measured] of Object.entries(runs)) {
      summary[scenario] = Object.fromEntries(
        Object.keys(measured[0]).map((field) => [field, median(measured.map((m) => m[field]))]),
      );
    }
    // The cost of auth: median of each round's authenticated / anonymous pair.
    summary.authRatios = runs.authenticated.map((auth, i) => auth.rps / runs.anonymous[i].rps);
    summary.authRatio = median(summary.authRatios);
    summary.authCpuRatio = median(
      runs.authenticated.map((auth, i) => auth.cpuPerRequest / runs.anonymous[i].cpuPerRequest),
    );
    const total = Object.values(summary.idp).reduce((a, b) => a + b, 0);
    summary.idpPerLogin = {
      ...Object.fromEntries(Object.entries(summary.idp).map(([kind, n]) => [kind, n / summary.logins])),
      total: total / summary.logins,
    };
    summary.probesPerLogout = summary.idpPerLogoutRun.discovery / summary.logouts;
    summary.idpPerProtectedView = summary.idpDuringProtected.requests / summary.idpDuringProtected.views;
    summary.logoutOverRedirect = median(runs.logout.map((logout, i) => logout.rps / runs.redirect[i].rps));
    summary.peakRss = peaks[target.key];
    delete summary.runs;
  }
  if (soaked) results.app.soak = soaked;
  log("memory per logout: the revocation store in a fresh process");
  results.app.revocation = revocationBytes();
  log("what DPoP costs: bench/dpop.js");
  results.app.dpop = dpopCost();

  const roundTrips = await roundTripsIfAsked();
  const meta = {
    ...runMeta(),
    rounds,
    seconds,
    connections,
    workers,
    soakSeconds,
  };
  let markdown = renderMarkdown(results, meta);
  if (roundTrips) markdown = withRoundTrips(markdown, renderRoundTrips(roundTrips, meta));
  writeFileSync(new URL("results.md", import.meta.url), markdown);
  writeFileSync(new URL("results.svg", import.meta.url), renderSvg(results, meta));
  console.log(markdown);
  log("wrote bench/results.md and bench/results.svg");
}

/** The Chromium round trips (bench/round-trips.js), unless `--round-trips 0`. */
async function roundTripsIfAsked() {
  if (roundTripCount <= 0) return null;
  return measureRoundTrips({ count: roundTripCount, awayMs, devIdp: options["dev-idp"], log, children });
}

/** When, where and on what the run was made. */
function runMeta() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    commit: describeCommit(),
    loadAverage: loadavg()
      .map((n) => n.toFixed(2))
      .join(", "),
  };
}

/** Bytes the in-memory revocation store keeps per logout (bench/revocation-bytes.js, its own process). */
function revocationBytes() {
  const output = execFileSync(process.execPath, ["--expose-gc", "bench/revocation-bytes.js"], {
    cwd: new URL("..", import.meta.url),
    encoding: "utf8",
  });
  return JSON.parse(output);
}

/** What DPoP costs per login, session, proof and renewal (bench/dpop.js, its own process). */
function dpopCost() {
  const output = execFileSync(process.execPath, ["bench/dpop.js"], {
    cwd: new URL("..", import.meta.url),
    encoding: "utf8",
  });
  return JSON.parse(output);
}

/** The commit measured, and whether the app's sources differ from it. */
function describeCommit() {
  try {
    const git = (...args) =>
      execFileSync("git", args, { cwd: new URL("..", import.meta.url), encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", "app", "remix.config.js") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted app changes" : ""}`;
  } catch {
    return "unknown";
  }
}

/**
 * Logs `demo` in and checks what the loads rely on: the session shows the user
 * on `/` (and only then) and opens the protected page. Returns its `Cookie`
 * header, which the page loads reuse and nothing ever logs out.
 */
async function checkedSession(target) {
  const { callback } = await logIn({ loginUrl: target.loginUrl, idpUrl: idp.url, username: "demo" });
  const cookie = sessionCookies(callback, target.cookiePrefix).join("; ");
  const home = await (await get(target, "/", { cookie })).text();
  const anonymous = await (await get(target, "/")).text();
  if (!home.includes(">demo<") || anonymous.includes(">demo<"))
    throw new Error(`${target.key}: / does not show who is signed in`);
  if (!(await opensAccount(target, cookie))) throw new Error(`${target.key}: the session does not open /account`);
  return { cookie };
}

function get(target, path, headers) {
  return fetch(`${target.server.url}${path}`, { headers, redirect: "manual" });
}

/** Whether `cookie` is a live `demo` session: the protected page opens and shows the user. */
async function opensAccount(target, cookie) {
  const response = await get(target, "/account", { cookie });
  return response.status === 200 && (await response.text()).includes(">demo<");
}

/**
 * The app's logout load: sessions minted from the real login's (same ID
 * token, each its own `sid`), one per request. Checks first, with one of
 * them, that such a session opens /account, that its logout sends the browser
 * to the end-session endpoint, and that it is dead afterwards while the page
 * loads' session lives on: what the load then measures is real logouts.
 */
async function checkedAppLogout(target, endSessionEndpoint) {
  const mint = await sessionMint({ cookie: target.cookie, secret: SESSION_SECRET });
  await mint.fill(1);
  const minted = mint.next();
  if (!(await opensAccount(target, minted))) throw new Error("app: a minted session does not open /account");
  const { answer, expect, accept } = await probeLogout(target.logout(minted), endSessionEndpoint);
  if (await opensAccount(target, minted)) throw new Error("app: a session still opens /account after its logout");
  if (!(await opensAccount(target, target.cookie))) throw new Error("app: logging out one session ended another");
  return {
    logoutAnswer: answer,
    logoutExpect: expect,
    logoutAccept: accept,
    nextLogoutCookie: () => mint.next(),
    // Minted ahead of each logout load (encryption is async, autocannon's setupRequest is not): 6,000 per
    // second, several times what the app reaches; a load that runs out fails rather than reuse a session.
    beforeLogoutLoad: async (scenario, duration) => {
      if (scenario !== "logout") return;
      await mint.fill(Math.ceil(duration * 6000));
    },
  };
}

/** The peer's logout load: its stateless cookie, the same for every request, checked twice to answer alike. */
async function checkedPeerLogout(target, endSessionEndpoint) {
  const first = await probeLogout(target.logout(target.cookie), endSessionEndpoint);
  const second = await probeLogout(target.logout(target.cookie), endSessionEndpoint);
  if (first.answer !== second.answer) throw new Error("peer: logout answered differently with the same cookie");
  if (!(await opensAccount(target, target.cookie)))
    throw new Error("peer: the session no longer opens /account after a logout");
  // Through the same per-request path as the app's load, so both pay autocannon alike.
  return {
    logoutAnswer: first.answer,
    logoutExpect: first.expect,
    logoutAccept: first.accept,
    nextLogoutCookie: () => target.cookie,
  };
}

/** Session cookie sizes (`name=value` bytes) for a small and a 60-group ID token, and whether the protected page still shows everything. */
async function sessionSizes(target) {
  const sizes = {};
  for (const username of ["demo", "big"]) {
    const { callback } = await logIn({ loginUrl: target.loginUrl, idpUrl: idp.url, username });
    const cookies = sessionCookies(callback, target.cookiePrefix);
    const page = await (
      await fetch(`${target.server.url}/account`, { headers: { cookie: cookies.join("; ") }, redirect: "manual" })
    ).text();
    const groups = new Set([...page.matchAll(/department-(\d\d)\/team-[0-9a-f]{40}/g)].map((m) => m[1]));
    sizes[username] = {
      perCookie: cookies.map((pair) => Buffer.byteLength(pair)),
      total: cookies.reduce((sum, pair) => sum + Buffer.byteLength(pair), 0),
      complete: page.includes(`>${username}<`) && groups.size === (username === "big" ? 60 : 0),
    };
    if (target.key === "app") {
      // The same session without the access and refresh tokens (issue 17 added them): what issue 16 compared.
      const perCookie = await resealedCookieBytes({
        cookie: cookies.join("; "),
        secret: SESSION_SECRET,
        change: (session) => ({ ...session, tokens: null }),
      });
      sizes[`${username}WithoutTokens`] = { perCookie, total: perCookie.reduce((a, b) => a + b, 0), complete: true };
    }
  }
  return sizes;
}
