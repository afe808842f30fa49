// The round-trip section of results.md (bench/round-trips.js): medians and spread per step, app beside peer.
import { STEPS } from "./round-trips.js";

const BEGIN = "<!-- round-trips -->";
const END = "<!-- /round-trips -->";
const STEP_NAMES = {
  form: "Click Log in → the provider's login form",
  signIn: "Submit the form → the signed-in page",
  logout: "Click Log out → the signed-out page",
};

export const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const [low, high] = [Math.floor(at), Math.ceil(at)];
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
};
const ms = (value) => value.toFixed(0);
const spread = (values) =>
  `**${ms(quantile(values, 0.5))}** (${ms(quantile(values, 0.25))}–${ms(quantile(values, 0.75))}; ${ms(Math.min(...values))}–${ms(Math.max(...values))})`;

/** The section, between markers, so that `--round-trips-only` can replace it in an existing results.md. */
export function renderRoundTrips(roundTrips, meta) {
  const rows = roundTrips.modes.flatMap((mode) =>
    STEPS.map((step) => {
      const [app, peer, peerBackchannel] = [mode.app[step], mode.peer[step], mode.peerBackchannel[step]];
      const ratio = (other) => (quantile(app, 0.5) / quantile(other, 0.5)).toFixed(2);
      return `| ${STEP_NAMES[step]} | ${mode.name} | ${spread(app)} | ${spread(peer)} | ${spread(peerBackchannel)} | ${ratio(peer)} / ${ratio(peerBackchannel)} |`;
    }),
  );
  const verdicts = (peerKey) =>
    roundTrips.modes.map((mode) => {
      const [app, peer] = ["app", peerKey].map((key) => quantile(mode[key].logout, 0.5));
      return `${mode.name} ${ms(app)} vs ${ms(peer)} ms (${app <= peer ? "✅ met" : "❌ not met"})`;
    });
  return `${BEGIN}
## Round trips in Chromium

${meta.date}, commit ${meta.commit}, load average at the end ${meta.loadAverage}. Against ${roundTrips.provider}${"contactWindowMs" in roundTrips ? `, the app with IDP_CONTACT_WINDOW_MS=${roundTrips.contactWindowMs}` : ""}; ${roundTrips.count}
cycles per app and per placement of the provider, each in a fresh browser context (home page, Log in, the
provider's form, Log out), after ${roundTrips.warmUpVisits ?? 0} visits over HTTP per app (\`ROUND_TRIPS_WARM_UP\`: servers
as warm as ones in use) and one untimed cycle; the three take turns going first. Each step is timed by
the browser, from the click to the end of the next page's answer (its \`responseEnd\`), redirects included.
The browser's and both servers' requests to the provider go through a loopback proxy (\`bench/delay-proxy.js\`),
which holds each chunk for half the stated round trip in each direction ("loopback": no delay). Milliseconds:
**median** (middle half; lowest–highest). The app's client has a back-channel logout URL (as the realm file and
DEPLOY.md set it up), so Keycloak calls the app, and waits for its answer, before it sends the browser back; the
peer as configured by default has none. "Peer, back-channel" is the same peer with express-openid-connect's
back-channel logout on (\`backchannelLogout\`, a store in memory) and its client's URL set: the same work as the app's.

| Step | Provider | App (Remix) | Peer (express-openid-connect) | Peer, back-channel | App / peer (medians: default / back-channel) |
|---|---|---:|---:|---:|---:|
${rows.join("\n")}

Target, logout no slower than the peer's: ${verdicts("peer").join("; ")}. Against the peer doing the same
back-channel work: ${verdicts("peerBackchannel").join("; ")}.
${END}`;
}

/** `markdown` with its round-trip section replaced by `section`, or `section` added before the chart. */
export function withRoundTrips(markdown, section) {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin >= 0 && end > begin) return markdown.slice(0, begin) + section + markdown.slice(end + END.length);
  const chart = markdown.indexOf("![App vs peer]");
  if (chart < 0) return `${markdown.trimEnd()}\n\n${section}\n`;
  return `${markdown.slice(0, chart)}${section}\n\n${markdown.slice(chart)}`;
}
