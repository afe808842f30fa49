// Temporary: RSS under the bench's page + logout loads for a few node flag variants (not committed).
import { logIn, sessionCookies } from "./login.js";
import { load } from "./measure.js";
import { sessionMint } from "./sessions.js";
import { appLogoutRequest, rssOf, SESSION_SECRET, startApp, startIdentityProvider } from "./servers.js";

const variants = JSON.parse(process.argv[2]);
const seconds = Number(process.argv[3] ?? 40);
for (const nodeArgs of variants) {
  const { idp, appUrl } = await startIdentityProvider();
  const app = await startApp({ url: appUrl, idp, nodeArgs });
  try {
    const { callback } = await logIn({ loginUrl: `${appUrl}/auth/demo/login`, idpUrl: idp.url });
    const cookie = sessionCookies(callback, "__session").join("; ");
    const mint = await sessionMint({ cookie, secret: SESSION_SECRET });
    await mint.fill(seconds * 1500);
    const loads = {
      anonymous: { url: `${appUrl}/` },
      authenticated: { url: `${appUrl}/`, headers: { cookie } },
      protected: { url: `${appUrl}/account`, headers: { cookie } },
      logout: { ...appLogoutRequest(appUrl, ""), nextCookie: () => mint.next(), expect: "3xx" },
    };
    const samples = [];
    const timer = setInterval(() => samples.push(rssOf(app.pid) / 2 ** 20), 250);
    const stats = {};
    const start = Date.now();
    for (let i = 0; Date.now() - start < seconds * 1000; i++) {
      const name = Object.keys(loads)[i % 4];
      const r = await load({ ...loads[name], seconds: 5, pid: app.pid });
      (stats[name] ??= []).push(Math.round(r.cpuPerRequest));
    }
    clearInterval(timer);
    const third = Math.floor(samples.length / 3);
    const max = (a) => Math.max(...a).toFixed(0);
    console.log(JSON.stringify({ nodeArgs, peak: max(samples), firstThird: max(samples.slice(0, third)), lastThird: max(samples.slice(-third)), cpuPerRequest: stats, idpProbes: idp.requests.filter((r) => r.path.endsWith("openid-configuration")).length }));
  } finally {
    await app.stop();
    await idp.close();
  }
}
