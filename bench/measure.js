// The measurements: HTTP load with autocannon, full logins per second, RSS
// peaks, and the IdP's view of a login.
import autocannon from "autocannon";
import { logIn } from "./login.js";
import { cpuTimeOf, rssOf } from "./servers.js";

export const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * One bounded autocannon run. Every response must have the expected status
 * class (2xx pages, 3xx logout) and none may fail, or the run throws: a fast
 * error page must never pass for a fast page. `nextCookie` gives each request
 * its own `Cookie` header (the logout load: one session per logout), `accept`
 * checks each answer further (status, headers); a request without a cookie or
 * an answer not accepted fails the run. With the server's `pid`, also the CPU
 * time it spent per request: steadier than req/s on a shared machine.
 */
export async function load({
  url,
  method = "GET",
  headers = {},
  body,
  seconds,
  connections = 10,
  expect = "2xx",
  pid,
  nextCookie,
  accept,
}) {
  let missingCookies = 0;
  let refused = 0;
  const request = { method, headers, body };
  if (nextCookie) {
    request.setupRequest = (built) => {
      const cookie = nextCookie();
      if (!cookie) missingCookies++;
      return { ...built, headers: { ...built.headers, cookie: cookie ?? "" } };
    };
  }
  if (accept)
    request.onResponse = (status, _body, _context, answer) => accept(status, lowerCaseKeys(answer)) || refused++;
  const cpuBefore = cpuTimeOf(pid);
  const result = await autocannon({ url, requests: [request], duration: seconds, connections, pipelining: 1 });
  const cpu = cpuTimeOf(pid) - cpuBefore;
  const unexpected = result.requests.total - result[expect];
  if (result.errors || result.timeouts || unexpected > connections || missingCookies || refused > connections) {
    throw new Error(
      `${method} ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${unexpected} responses not ${expect}, ` +
        `${missingCookies} requests without a session left, ${refused} answers not accepted`,
    );
  }
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest: cpu / result.requests.total,
  };
}

const lowerCaseKeys = (headers) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));

/**
 * Full logins (fresh browser each: app → IdP authorize → login form → POST →
 * app callback → session) by `workers` concurrent loops for `seconds`; the
 * last logins started finish before it returns.
 */
export async function loginLoad({ loginUrl, idpUrl, seconds, workers = 4, pid }) {
  const deadline = Date.now() + seconds * 1000;
  const cpuBefore = cpuTimeOf(pid);
  const durations = [];
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < deadline) {
        const begin = performance.now();
        try {
          await logIn({ loginUrl, idpUrl });
          durations.push(performance.now() - begin);
        } catch (error) {
          if (++errors > 5) throw error;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const cpuPerLogin = (cpuTimeOf(pid) - cpuBefore) / durations.length;
  return {
    logins: durations.length,
    errors,
    perSecond: durations.length / elapsed,
    p50: median(durations),
    cpuPerLogin,
  };
}

/**
 * How a logout request sends the browser to the IdP's end-session endpoint:
 * a 302 redirect there, or a 200 page whose form posts there. Returns that
 * answer, the status class the load expects and a check of each answer.
 */
export async function probeLogout({ url, method = "GET", headers, body }, endSessionEndpoint) {
  const response = await fetch(url, { method, headers, body, redirect: "manual" });
  const html = await response.text();
  const redirectsThere = (status, location) =>
    status === 302 && typeof location === "string" && location.startsWith(`${endSessionEndpoint}?`);
  if (redirectsThere(response.status, response.headers.get("location"))) {
    return {
      answer: "302 redirect to the IdP",
      expect: "3xx",
      accept: (status, answer) => redirectsThere(status, answer.location),
    };
  }
  if (
    response.status === 200 &&
    /<form\b[^>]*method="post"/i.test(html) &&
    html.includes(`action="${endSessionEndpoint}"`)
  ) {
    return { answer: "200 page posting to the IdP", expect: "2xx", accept: (status) => status === 200 };
  }
  throw new Error(
    `${method} ${url} answered ${response.status} ${response.headers.get("location") ?? html.slice(0, 200)}`,
  );
}

/** Samples the RSS of processes every 100 ms; `stop()` returns the peak of each, in bytes. */
export function sampleRss(pids) {
  const peaks = Object.fromEntries(Object.entries(pids).map(([name]) => [name, 0]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name], rssOf(pid));
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

/** The server-to-server requests a login makes at the IdP, by kind; the browser's own requests are left out. */
const BACK_CHANNEL = {
  discovery: (path) => path.endsWith("/.well-known/openid-configuration"),
  jwks: (path) => path.endsWith("/protocol/openid-connect/certs"),
  token: (path) => path.endsWith("/protocol/openid-connect/token"),
  userinfo: (path) => path.endsWith("/protocol/openid-connect/userinfo"),
};

export function countBackChannel(requests) {
  const counts = Object.fromEntries(Object.keys(BACK_CHANNEL).map((kind) => [kind, 0]));
  for (const { path } of requests) {
    for (const [kind, matches] of Object.entries(BACK_CHANNEL)) if (matches(path)) counts[kind]++;
  }
  return counts;
}

/** Logins started at the IdP (its authorization endpoint), for the given client. */
export const authorizeRequests = (requests, clientId) =>
  requests.filter((r) => r.path.endsWith("/protocol/openid-connect/auth") && r.query.client_id === clientId).length;

/**
 * The soak: a warm-up cycle, then `cycles` more, each running every scenario
 * in turn (`run(scenario, slice)`), with the RSS of `pid` read every second.
 * Each scenario holds a different amount of memory, and RSS saws up and down
 * with each full GC, so single samples, or a line through them all, follow the
 * order of the scenarios more than any growth: the trend is the least-squares
 * line through each cycle's mean RSS, its rise over the soak. The warm-up cycle
 * (the step from the rounds' last load) is sampled for the peak, not judged.
 * Returns the trend with the samples (MiB), the cycles' means and their times
 * (`Date.now()`).
 */
export async function soak({ pid, seconds, scenarios, run, slice = 5 }) {
  const cycles = Math.max(2, Math.round(seconds / (slice * scenarios.length)));
  const samples = [];
  const cycleTimes = [];
  let cycle = -1;
  const timer = setInterval(() => samples.push({ time: Date.now(), mib: rssOf(pid) / 2 ** 20, cycle }), 1000);
  try {
    for (; cycle < cycles; cycle++) {
      const cycleStart = Date.now();
      for (const scenario of scenarios) await run(scenario, slice);
      if (cycle >= 0) cycleTimes.push({ start: cycleStart, end: Date.now() });
    }
  } finally {
    clearInterval(timer);
  }
  const start = cycleTimes[0].start;
  const elapsed = (cycleTimes.at(-1).end - start) / 1000;
  const judged = samples.filter((s) => s.cycle >= 0).map((s) => ({ ...s, at: (s.time - start) / 1000 }));
  const means = Array.from({ length: cycles }, (_, i) =>
    average(judged.filter((s) => s.cycle === i).map((s) => s.mib)),
  );
  return {
    seconds: elapsed,
    cycleSeconds: slice * scenarios.length,
    samples: judged,
    cycleMeans: means,
    cycleTimes,
    mean: average(judged.map((s) => s.mib)),
    trend: cycleTrend(cycleTimes, means),
    peak: Math.max(...samples.map((s) => s.mib)),
    low: Math.min(...judged.map((s) => s.mib)),
  };
}

/** The rise over the soak of the least-squares line through one value per cycle, each at its cycle's middle. */
export function cycleTrend(cycleTimes, values) {
  const points = cycleTimes.map(({ start, end }, i) => ({ at: (start + end) / 2000, mib: values[i] }));
  return leastSquaresSlope(points) * ((cycleTimes.at(-1).end - cycleTimes[0].start) / 1000);
}

export const average = (list) => list.reduce((sum, x) => sum + x, 0) / list.length;

/** Slope of the least-squares line through points `{ at, mib }`. */
function leastSquaresSlope(points) {
  const meanAt = average(points.map((p) => p.at));
  const meanMib = average(points.map((p) => p.mib));
  return (
    points.reduce((sum, p) => sum + (p.at - meanAt) * (p.mib - meanMib), 0) /
    points.reduce((sum, p) => sum + (p.at - meanAt) ** 2, 0)
  );
}
