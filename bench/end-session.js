// `npm run bench:end-session`: how long Keycloak's end-session endpoint takes to answer, without a browser, for
// four kinds of client in realm `demo`, so that what a back-channel URL costs a logout is measured apart from
// everything else (issue #26): the app (Keycloak calls its back-channel URL, the running app's production
// build), the express-openid-connect peer with back-channel logout on (likewise), a client whose back-channel
// URL is a server in this process answering 200 at once, and a client without one. Each cycle logs in over
// HTTP (the code flow with PKCE, the login form, the token request), then times the `GET` of the end-session
// URL with `id_token_hint` until Keycloak's 302 to the client's post-logout URI has arrived. Interleaved, after
// warm-up cycles. Needs java and mvn (Keycloak, the pinned version, as `npm run keycloak` starts it).
// Options: --cycles N (30 timed per client), --warm-up N (10 per client).
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { freePort } from "../dev/free-port.js";
import { missingTools, startKeycloak } from "../dev/keycloak/index.js";
import { browse, CookieJar, follow, formAction } from "./login.js";
import { addPeerClient, KEYCLOAK_APP_SECRET } from "./round-trips.js";
import { quantile } from "./round-trips-report.js";
import { buildIfStale, PEER_BACKCHANNEL_CLIENT, startApp, startPeer } from "./servers.js";

const { values: options } = parseArgs({
  options: { cycles: { type: "string", default: "30" }, "warm-up": { type: "string", default: "10" } },
});
const [cycles, warmUp] = [Number(options.cycles), Number(options["warm-up"])];
const log = (message) => console.error(`[end-session ${new Date().toISOString().slice(11, 19)}] ${message}`);

const missing = missingTools();
if (missing) {
  console.error(`This measures Keycloak itself: ${missing}`);
  process.exit(1);
}
if (buildIfStale()) log("built the app (npm run build)");

const stops = [];
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
};
// Everything below is a fixed number of cycles; this is the backstop for a hang (Keycloak's first start included).
setTimeout(async () => {
  log("still running after 10 minutes: giving up");
  await stopAll();
  process.exit(2);
}, 10 * 60_000).unref();
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => stopAll().then(() => process.exit(130)));

try {
  const [appUrl, peerUrl, sinkUrl] = (await Promise.all([freePort(), freePort(), freePort()])).map(
    (port) => `http://127.0.0.1:${port}`,
  );
  const sink = await startSink(sinkUrl);
  stops.push(sink.close);
  log("starting Keycloak (minutes on a first start)");
  const keycloak = await startKeycloak({ appUrl, log: () => {} });
  stops.push(keycloak.stop);
  // Each receiver's accepted back-channel logouts, from its output: one that refused would look fast.
  const accepted = { app: acceptedCounter(), peer: acceptedCounter() };
  const app = await startApp({
    url: appUrl,
    idp: { url: keycloak.url },
    env: { KEYCLOAK_CLIENT_SECRET: KEYCLOAK_APP_SECRET },
    onStdout: accepted.app.read,
  });
  stops.push(app.stop);
  const peer = await startPeer({
    url: peerUrl,
    idp: { issuer: () => `${keycloak.url}/realms/demo` },
    backchannel: true,
    onStdout: accepted.peer.read,
  });
  stops.push(peer.stop);

  const sinkClient = { clientId: "bench-sink-backchannel", clientSecret: "bench-sink-secret" };
  const plainClient = { clientId: "bench-no-backchannel", clientSecret: "bench-plain-secret" };
  await addPeerClient(keycloak.url, PEER_BACKCHANNEL_CLIENT, peerUrl, `${peerUrl}/backchannel-logout`);
  await addPeerClient(keycloak.url, sinkClient, sinkUrl, `${sinkUrl}/backchannel-logout`);
  await addPeerClient(keycloak.url, plainClient, sinkUrl);
  const targets = [
    {
      name: "the app (remix-app)",
      receiver: "the app, `POST /auth/demo/backchannel-logout`",
      clientId: "remix-app",
      clientSecret: KEYCLOAK_APP_SECRET,
      redirectUri: `${appUrl}/auth/demo/callback`,
      postLogoutUri: `${appUrl}/logout/callback`,
      accepted: accepted.app,
    },
    {
      name: "the peer, back-channel",
      receiver: "express-openid-connect, `POST /backchannel-logout`",
      ...PEER_BACKCHANNEL_CLIENT,
      redirectUri: `${peerUrl}/callback`,
      postLogoutUri: peerUrl,
      accepted: accepted.peer,
    },
    {
      name: "a client with an instant receiver",
      receiver: "a server answering 200 at once",
      ...sinkClient,
      redirectUri: `${sinkUrl}/callback`,
      postLogoutUri: sinkUrl,
      accepted: sink,
    },
    {
      name: "a client without back-channel URL",
      receiver: "none",
      ...plainClient,
      redirectUri: `${sinkUrl}/callback`,
      postLogoutUri: sinkUrl,
    },
  ];
  const realmUrl = `${keycloak.url}/realms/demo`;
  log(`${warmUp} untimed, then ${cycles} timed logins and logouts per client`);
  for (let i = 0; i < warmUp; i++) for (const target of targets) await endSessionCycle(realmUrl, target);
  const times = targets.map(() => []);
  for (let i = 0; i < cycles; i++) {
    const order = targets.map((_, index) => (index + i) % targets.length);
    for (const index of order) times[index].push(await endSessionCycle(realmUrl, targets[index]));
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // the last access-log lines in flight
  for (const target of targets.filter((target) => target.accepted)) {
    const count = target.accepted.count();
    if (count !== warmUp + cycles)
      throw new Error(`${target.name}: ${count} back-channel logouts accepted for ${warmUp + cycles} logouts`);
  }
  console.log(report(targets, times, keycloak.version));
} finally {
  await stopAll();
}

/** One login over HTTP, then the end-session request timed (ms). */
async function endSessionCycle(realmUrl, target) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString("base64url");
  const authorize = `${realmUrl}/protocol/openid-connect/auth?${new URLSearchParams({
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    response_type: "code",
    scope: "openid",
    state: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  })}`;
  const atKeycloak = (url) => url.startsWith(realmUrl);
  const form = await follow(jar, await browse(jar, authorize), authorize, atKeycloak);
  const action = formAction(form.html, form.url);
  const back = await follow(
    jar,
    await browse(jar, action, { form: { username: "demo", password: "demo" } }),
    action,
    atKeycloak,
  );
  const code = new URL(back.url).searchParams.get("code");
  if (!code) throw new Error(`${target.name}: no code after the login form (stopped at ${back.url})`);
  const tokens = await fetch(`${realmUrl}/protocol/openid-connect/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: target.redirectUri,
      client_id: target.clientId,
      client_secret: target.clientSecret,
      code_verifier: verifier,
    }),
  }).then((response) => response.json());
  if (!tokens.id_token) throw new Error(`${target.name}: the token request failed: ${tokens.error}`);

  const state = randomBytes(8).toString("hex");
  const endSession = `${realmUrl}/protocol/openid-connect/logout?${new URLSearchParams({
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: target.postLogoutUri,
    client_id: target.clientId,
    state,
  })}`;
  const started = performance.now();
  const answer = await browse(jar, endSession);
  await answer.arrayBuffer();
  const elapsed = performance.now() - started;
  const location = answer.headers.get("location") ?? "";
  if (answer.status !== 302 || !location.startsWith(target.postLogoutUri) || !location.includes(`state=${state}`))
    throw new Error(`${target.name}: end-session answered ${answer.status}, to ${location || "nowhere"}`);
  return elapsed;
}

/** Counts the `POST …/backchannel-logout 200` lines of a server's output (remix-serve's access log, the peer's). */
function acceptedCounter() {
  let count = 0;
  let partial = "";
  return {
    count: () => count,
    read: (chunk) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      count += lines.filter((line) => /^POST \S*\/backchannel-logout 20[04]\b/.test(line)).length;
    },
  };
}

/** The instant receiver: 200 with an empty body to every back-channel call, counted. */
async function startSink(url) {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      if (request.method === "POST") count++;
      response.writeHead(200, { "Content-Length": "0", "Cache-Control": "no-store" }).end();
    });
  });
  await new Promise((resolve) => server.listen(Number(new URL(url).port), "127.0.0.1", resolve));
  return { count: () => count, close: () => new Promise((resolve) => server.close(resolve)) };
}

function report(targets, times, version) {
  const ms = (value) => value.toFixed(1);
  const base = quantile(times.at(-1), 0.5);
  const rows = targets.map((target, i) => {
    const values = times[i];
    const median = quantile(values, 0.5);
    return `| ${target.name} | ${target.receiver} | **${ms(median)}** (${ms(quantile(values, 0.25))}–${ms(quantile(values, 0.75))}; ${ms(Math.min(...values))}–${ms(Math.max(...values))}) | ${i === targets.length - 1 ? "" : `${median >= base ? "+" : "−"}${ms(Math.abs(median - base))}`} |`;
  });
  return `Keycloak ${version}'s end-session endpoint, ${times[0].length} logouts per client, interleaved (ms: median (middle half; extremes), and above the client without back-channel URL)

| Client | Keycloak's back-channel call goes to | Answer | Above none |
|---|---|---:|---:|
${rows.join("\n")}`;
}
