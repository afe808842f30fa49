// What DPoP (KEYCLOAK_DPOP / *_DPOP, issue 25.4) costs.
// - In one process, the module's own code (bundled from source): the key pair a login makes, the key's import
//   (once per session per instance) and a proof, which every API call and every provider request signs.
// - End to end: /account views of one session of each of two providers of the dev IdP, one binding its tokens
//   (DPoP) and one not, interleaved. Access tokens live 30 s, so every view renews the token first and then calls
//   userinfo: one refresh and one userinfo request, each with a proof when bound. Both are "other OpenID
//   providers", so neither view validates roles.
// `node bench/dpop.js` prints JSON; `npm run bench` reports it in bench/results.md.
import { freePort } from "../dev/free-port.js";
import { startIdp } from "../dev/idp/index.js";
import { importAppModule } from "./app-module.js";
import { browse, logIn } from "./login.js";
import { median } from "./measure.js";
import { APP_CLIENT, cpuTimeOf, startApp } from "./servers.js";

const OPERATIONS = 500;
const VIEWS = 150;

/** Median µs of `run`, after as many untimed runs. */
async function microseconds(count, run) {
  for (let i = 0; i < count; i += 1) await run(i);
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    await run(i);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return median(times);
}

async function inProcess() {
  const { DpopSigners, generateDpopKey } = await importAppModule("app/auth/protocol/dpop.server.ts");
  const client = { client_id: APP_CLIENT.clientId };
  const keys = await Promise.all(Array.from({ length: 2 * OPERATIONS }, () => generateDpopKey()));
  const signer = await new DpopSigners(client).get(keys[0]);
  const token = "x".repeat(1200); // about a Keycloak access token
  return {
    keyPairPerLoginUs: await microseconds(OPERATIONS, () => generateDpopKey()),
    keyImportPerSessionUs: await microseconds(OPERATIONS, (i) => new DpopSigners(client).get(keys[i])),
    proofPerRequestUs: await microseconds(OPERATIONS, () => signer.proof("GET", "https://api.example.com/x", token)),
  };
}

async function endToEnd() {
  const appUrl = `http://127.0.0.1:${await freePort()}`;
  const client = (name) => ({
    ...APP_CLIENT,
    redirectUris: [`${appUrl}/auth/${name}/callback`],
    postLogoutRedirectUris: [`${appUrl}/`, `${appUrl}/logout/callback`],
  });
  const idp = await startIdp({
    realms: {
      demo: { clients: [client("demo")] },
      plain: { clients: [client("plain")] },
      bound: { clients: [client("bound")], personality: { dpop: { nonce: false } } },
    },
    accessTokenTtl: 30,
  });
  const env = { OIDC_PROVIDERS: "plain,bound", OIDC_PROVIDER_BOUND_DPOP: "true" };
  for (const name of ["PLAIN", "BOUND"]) {
    env[`OIDC_PROVIDER_${name}_ISSUER`] = `${idp.url}/realms/${name.toLowerCase()}`;
    env[`OIDC_PROVIDER_${name}_CLIENT_ID`] = APP_CLIENT.clientId;
    env[`OIDC_PROVIDER_${name}_CLIENT_SECRET`] = APP_CLIENT.clientSecret;
  }
  const app = await startApp({ url: appUrl, idp, env });
  try {
    const sessions = {};
    for (const name of ["plain", "bound"]) {
      const { jar } = await logIn({ loginUrl: `${appUrl}/auth/${name}/login`, idpUrl: idp.url });
      sessions[name] = { jar, ms: [], cpuUs: 0, failed: 0 };
    }
    for (let view = 0; view < VIEWS + 10; view += 1) {
      const order = view % 2 === 0 ? ["plain", "bound"] : ["bound", "plain"];
      for (const name of order) {
        const session = sessions[name];
        const [cpu, start] = [cpuTimeOf(app.pid), performance.now()];
        const response = await browse(session.jar, `${appUrl}/account`);
        const html = await response.text();
        if (view < 10) continue; // warm-up
        session.ms.push(performance.now() - start);
        session.cpuUs += cpuTimeOf(app.pid) - cpu;
        if (response.status !== 200 || !html.includes('data-testid="api-facts"')) session.failed += 1;
      }
    }
    const summary = ({ ms, cpuUs, failed }) => ({ medianMs: median(ms), cpuUsPerView: cpuUs / ms.length, failed });
    return { views: VIEWS, plain: summary(sessions.plain), bound: summary(sessions.bound) };
  } finally {
    await app.stop();
    await idp.close();
  }
}

const result = { ...(await inProcess()), endToEnd: await endToEnd() };
console.log(JSON.stringify(result));
