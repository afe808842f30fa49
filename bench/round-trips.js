// What a person waits for, in Chromium: the app and the express-openid-connect peer side by side, interleaved,
// against real Keycloak when java and mvn are there (else the dev IdP), with the provider on loopback and
// "away" (bench/delay-proxy.js). Each step is timed by the browser itself, from the moment the page starts the
// navigation (a click, or a link followed) to the moment the next page's answer has arrived: the new page's
// `performance.timeOrigin + responseEnd`, minus the old page's clock at the click. Both pages run in the same
// browser, whose clocks agree.
import { chromium } from "@playwright/test";
import { freePort } from "../dev/free-port.js";
import { startIdp } from "../dev/idp/index.js";
import { ADMIN, missingTools, PINNED_VERSION, startKeycloak } from "../dev/keycloak/index.js";
import { startDelayProxy } from "./delay-proxy.js";
import { browse, follow, formAction, logIn } from "./login.js";
import { APP_CLIENT, PEER_BACKCHANNEL_CLIENT, PEER_CLIENT, startApp, startPeer } from "./servers.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** The realm file's secret of client remix-app (keycloak/realm-export.json). */
export const KEYCLOAK_APP_SECRET = "change-me-in-keycloak-credentials-tab";
export const STEPS = ["form", "signIn", "logout"];
/** The app, the peer as configured by default, and the peer taking back-channel logouts too, like the app. */
export const TARGETS = ["app", "peer", "peerBackchannel"];
/**
 * Whole visits over plain HTTP through each server before the timed cycles, as a server in use has served: a fresh
 * app answered its first requests 2-3 times slower than after a few hundred (its signed-in home page 8-10 ms
 * against 3.9; the peer's 3 against 2), the code not yet compiled by V8's optimizing tiers.
 */
export const WARM_UP_VISITS = Number(process.env.ROUND_TRIPS_WARM_UP ?? 30);

/**
 * `count` timed cycles (reach the form, sign in, log out) per app and per placement of the provider, after one
 * untimed cycle each; app and peer alternate which goes first. `awayMs`: the round trip the proxy adds.
 * `children` gets what the run's backstop must kill (Keycloak runs in its own process group).
 * @param {{ count: number, awayMs: number, devIdp?: boolean, log: (line: string) => void, children: { kill(): void }[] }} options
 */
export async function measureRoundTrips({ count, awayMs, devIdp = false, log, children }) {
  const [appPort, peerPort, peerBcPort] = [await freePort(), await freePort(), await freePort()];
  const appUrl = `http://127.0.0.1:${appPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const peerBcUrl = `http://127.0.0.1:${peerBcPort}`;
  const stops = [];
  try {
    const provider = await startProvider({ appUrl, peerUrl, peerBcUrl, devIdp, log, children });
    stops.push(provider.stop);
    const proxy = provider.proxy;
    const issuer = `${proxy.url}/realms/demo`;
    const app = await startApp({
      url: appUrl,
      idp: { url: proxy.url },
      env: {
        ...(provider.keycloak && { KEYCLOAK_CLIENT_SECRET: KEYCLOAK_APP_SECRET }),
        // To measure the app with another window than its default (docs/decisions/011), e.g. 0.
        ...(process.env.IDP_CONTACT_WINDOW_MS && { IDP_CONTACT_WINDOW_MS: process.env.IDP_CONTACT_WINDOW_MS }),
      },
    });
    stops.push(app.stop);
    children.push(app);
    for (const [url, backchannel] of [
      [peerUrl, false],
      [peerBcUrl, true],
    ]) {
      const peer = await startPeer({ url, idp: { issuer: () => issuer }, backchannel });
      stops.push(peer.stop);
      children.push(peer);
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    stops.push(() => browser.close());

    const targets = [
      {
        key: "app",
        url: appUrl,
        logout: { click: 'form[action="/logout"] button' },
        loggedOut: (url) => url.startsWith(`${appUrl}/logout/callback`),
        signedOutText: "You are logged out",
        loginPath: "/auth/demo/login",
        logoutRequest: { path: "/logout", form: {}, headers: { origin: appUrl } },
      },
      {
        key: "peer",
        url: peerUrl,
        // express-openid-connect logs out with GET /logout; its page has no button for it.
        logout: { go: "/logout" },
        loggedOut: (url) => url.startsWith(peerUrl),
        signedOutText: 'href="/login"',
        loginPath: "/login",
        logoutRequest: { path: "/logout" },
      },
      {
        key: "peerBackchannel",
        url: peerBcUrl,
        logout: { go: "/logout" },
        loggedOut: (url) => url.startsWith(peerBcUrl),
        signedOutText: 'href="/login"',
        loginPath: "/login",
        logoutRequest: { path: "/logout" },
      },
    ];
    const modes = [
      { name: "loopback", delayMs: 0 },
      { name: `${awayMs} ms away`, delayMs: awayMs / 2 },
    ];
    if (WARM_UP_VISITS > 0) {
      log(`round trips: ${WARM_UP_VISITS} visits over HTTP per app first, to warm the servers up`);
      for (let i = 0; i < WARM_UP_VISITS; i++) for (const target of targets) await warmUpVisit(target, proxy.url);
    }
    for (const mode of modes) {
      proxy.setDelay(mode.delayMs);
      log(`round trips, provider ${mode.name}: 1 untimed + ${count} timed cycles per app`);
      for (const target of targets) await cycle(browser, target, proxy.url);
      for (const key of TARGETS) mode[key] = Object.fromEntries(STEPS.map((step) => [step, []]));
      for (let i = 0; i < count; i++) {
        // Each goes first, in the middle and last in turn.
        for (const target of [...targets.slice(i % 3), ...targets.slice(0, i % 3)]) {
          const timings = await cycle(browser, target, proxy.url);
          for (const step of STEPS) mode[target.key][step].push(timings[step]);
        }
      }
    }
    const window = process.env.IDP_CONTACT_WINDOW_MS;
    return {
      provider: provider.name,
      count,
      awayMs,
      warmUpVisits: WARM_UP_VISITS,
      modes,
      ...(window && { contactWindowMs: Number(window) }),
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}

/** Keycloak (the pinned version, realms imported, a client added for the peer) or the dev IdP, behind the proxy. */
async function startProvider({ appUrl, peerUrl, peerBcUrl, devIdp, log, children }) {
  const missing = devIdp ? "--dev-idp" : missingTools();
  if (!missing) {
    log(`starting Keycloak ${PINNED_VERSION} for the round trips (minutes on a first start)`);
    // KEYCLOAK_PORT: a port of your own on a shared machine (as for npm run keycloak); else a free one.
    const port = process.env.KEYCLOAK_PORT ? Number(process.env.KEYCLOAK_PORT) : undefined;
    const keycloak = await startKeycloak({ appUrl, log, ...(port && { port }) });
    children.push({ kill: () => killGroup(keycloak.pid) });
    try {
      const proxy = await startDelayProxy({ targetPort: keycloak.port });
      await addPeerClient(keycloak.url, PEER_CLIENT, peerUrl);
      await addPeerClient(keycloak.url, PEER_BACKCHANNEL_CLIENT, peerBcUrl, `${peerBcUrl}/backchannel-logout`);
      const stop = async () => {
        await proxy.close();
        await keycloak.stop();
      };
      return { name: `Keycloak ${keycloak.version}`, keycloak: true, proxy, stop };
    } catch (error) {
      await keycloak.stop();
      throw error;
    }
  }
  log(`round trips against the dev IdP (${missing})`);
  const [idpPort, proxyPort] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${proxyPort}`;
  const idp = await startIdp({
    port: idpPort,
    publicUrl,
    realms: {
      demo: {
        clients: [
          {
            ...APP_CLIENT,
            redirectUris: [`${appUrl}/auth/demo/callback`],
            postLogoutRedirectUris: [`${appUrl}/logout/callback`],
            backchannelLogoutUri: `${appUrl}/auth/demo/backchannel-logout`,
          },
          { ...PEER_CLIENT, redirectUris: [`${peerUrl}/callback`], postLogoutRedirectUris: [peerUrl, `${peerUrl}/`] },
          {
            ...PEER_BACKCHANNEL_CLIENT,
            redirectUris: [`${peerBcUrl}/callback`],
            postLogoutRedirectUris: [peerBcUrl, `${peerBcUrl}/`],
            backchannelLogoutUri: `${peerBcUrl}/backchannel-logout`,
          },
        ],
      },
    },
  });
  const proxy = await startDelayProxy({ targetPort: idpPort, port: proxyPort });
  const stop = async () => {
    await proxy.close();
    await idp.close();
  };
  return { name: `the dev IdP (${missing})`, keycloak: false, proxy, stop };
}

/** The peer's client in realm demo, through Keycloak's admin API: the realm files stay as users import them. */
export async function addPeerClient(keycloakUrl, client, peerUrl, backchannelUrl) {
  const token = await fetch(`${keycloakUrl}/realms/master/protocol/openid-connect/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "password", client_id: "admin-cli", ...ADMIN }),
  }).then((r) => r.json());
  const response = await fetch(`${keycloakUrl}/admin/realms/demo/clients`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({
      clientId: client.clientId,
      secret: client.clientSecret,
      publicClient: false,
      standardFlowEnabled: true,
      directAccessGrantsEnabled: false,
      frontchannelLogout: false,
      redirectUris: [`${peerUrl}/callback`],
      attributes: {
        "post.logout.redirect.uris": `${peerUrl}##${peerUrl}/`,
        ...(backchannelUrl && {
          "backchannel.logout.url": backchannelUrl,
          "backchannel.logout.session.required": "true",
        }),
      },
    }),
  });
  if (response.status !== 201) throw new Error(`Keycloak refused the peer's client: HTTP ${response.status}`);
}

/** A visit without the browser: the home page, a login at the provider, the home page signed in, the logout. */
async function warmUpVisit(target, providerUrl) {
  await (await fetch(`${target.url}/`)).arrayBuffer();
  const { jar } = await logIn({ loginUrl: `${target.url}${target.loginPath}`, idpUrl: providerUrl });
  for (let i = 0; i < 5; i++) await (await browse(jar, `${target.url}/`)).arrayBuffer();
  const { path, form, headers } = target.logoutRequest;
  const url = `${target.url}${path}`;
  let end = await follow(jar, await browse(jar, url, { form, headers }), url, () => true);
  if (end.url.startsWith(providerUrl) && end.html?.includes('id="op.logoutForm"')) {
    // The dev IdP's page confirms by script what Keycloak does without asking (dev/idp/provider.js).
    const action = formAction(end.html, end.url);
    const xsrf = /name="xsrf" value="([^"]*)"/.exec(end.html)?.[1] ?? "";
    end = await follow(jar, await browse(jar, action, { form: { xsrf, logout: "yes" } }), action, () => true);
  }
  if (!end.url.startsWith(target.url) || !end.html?.includes(target.signedOutText)) {
    const { origin, pathname } = new URL(end.url);
    throw new Error(`${target.key}: the warm-up's logout ended at ${origin}${pathname} (HTTP ${end.response.status})`);
  }
}

/** One person's visit in a fresh browser context: the home page, Log in, the provider's form, Log out. */
async function cycle(browser, target, providerUrl) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (process.env.ROUND_TRIPS_TRACE) {
      const t0 = Date.now();
      page.on("request", (r) =>
        console.error(`${target.key} +${Date.now() - t0} > ${r.method()} ${r.url().slice(0, 90)}`),
      );
      page.on("response", (r) =>
        console.error(`${target.key} +${Date.now() - t0} < ${r.status()} ${r.url().slice(0, 90)}`),
      );
      // The browser's own clock for each request of a navigation: start, and how long until the answer's headers.
      const browserTiming = (r) => {
        const t = r.timing();
        const took = (t.responseStart - Math.max(0, t.requestStart)).toFixed(1);
        console.error(
          `${target.key} @${t.startTime.toFixed(1)} ${r.method()} ${r.url().slice(0, 60)} waited ${took} ms`,
        );
      };
      page.on("requestfinished", browserTiming);
      page.on("requestfailed", browserTiming);
    }
    await page.goto(`${target.url}/`);
    const form = await timed(page, { click: 'a[href$="/login"]' }, (url) => url.startsWith(providerUrl));
    await page.fill("#username", "demo");
    await page.fill("#password", "demo");
    const signIn = await timed(page, { click: "#kc-login" }, (url) => url.startsWith(target.url));
    if (!(await page.content()).includes(">demo<")) throw new Error(`${target.key}: not signed in after the form`);
    const logout = await timed(page, target.logout, target.loggedOut);
    if (!(await page.content()).includes(target.signedOutText))
      throw new Error(`${target.key}: not the signed-out page after logout (${page.url()})`);
    return { form, signIn, logout };
  } finally {
    await context.close();
  }
}

/** Milliseconds from the action, in the page, to the end of the answer of the first page `arrived` accepts. */
async function timed(page, action, arrived) {
  const navigated = page.waitForEvent("framenavigated", {
    predicate: (frame) => frame === page.mainFrame() && arrived(frame.url()),
    timeout: 30_000,
  });
  // As a person reads before clicking: nothing in flight for 500 ms (the app's page hydrates and fetches its
  // route manifest after load; a click at load time made Keycloak's next answer wait on a busy machine).
  await page.waitForLoadState("networkidle");
  const start = await page.evaluate((a) => {
    const now = performance.timeOrigin + performance.now();
    // After this evaluation has returned: the navigation would otherwise destroy its context.
    setTimeout(() => (a.go ? location.assign(a.go) : document.querySelector(a.click).click()));
    return now;
  }, action);
  await navigated;
  await page.waitForLoadState("domcontentloaded");
  const [origin, n] = await page.evaluate(() => [
    performance.timeOrigin,
    performance.getEntriesByType("navigation")[0].toJSON(),
  ]);
  if (process.env.ROUND_TRIPS_TRACE) {
    const [before, redirects, connect, server, body] = [
      origin - start,
      n.fetchStart,
      n.requestStart - n.fetchStart,
      n.responseStart - n.requestStart,
      n.responseEnd - n.responseStart,
    ].map((ms) => ms.toFixed(1));
    console.error(
      `step: ${before} before the navigation, ${redirects} until the last request, then connect ${connect},`,
    );
    console.error(`step: server ${server}, body ${body} (${new URL(n.name).pathname})`);
  }
  return origin + n.responseEnd - start;
}

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // gone already
  }
}
