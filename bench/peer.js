// The benchmark's peer: the same two pages as the app, served by Express with
// Auth0's express-openid-connect against the same IdP. Started as a child
// process by bench/servers.js, so its CPU and memory are its own.
import express from "express";
import eoc from "express-openid-connect"; // CommonJS: a default export only

const { auth, requiresAuth } = eoc;
const env = process.env;

const escapeHtml = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;

// BACKCHANNEL=1: the peer also takes the provider's back-channel logouts (as the app does), remembered in memory:
// what express-openid-connect needs for them is a store in express-session's shape.
const logouts = new Map();
const logoutStore = {
  get: (id, done) => done(null, logouts.get(id)),
  set: (id, value, done) => done(null, logouts.set(id, value) && undefined),
  destroy: (id, done) => done(null, logouts.delete(id) && undefined),
};

const app = express();
app.disable("x-powered-by");
app.get("/healthz", (_req, res) => res.json({ status: "ok" }));
// A line per back-channel logout answered, for bench/end-session.js to see it accepted (else stdout is /dev/null).
if (env.BACKCHANNEL)
  app.use("/backchannel-logout", (_req, res, next) => {
    res.on("finish", () => console.log(`POST /backchannel-logout ${res.statusCode}`));
    next();
  });
app.use(
  auth({
    issuerBaseURL: env.ISSUER,
    baseURL: env.BASE_URL,
    clientID: env.CLIENT_ID,
    clientSecret: env.CLIENT_SECRET,
    secret: env.SESSION_SECRET,
    authRequired: false,
    idpLogout: true,
    enableTelemetry: false,
    authorizationParams: { response_type: "code", scope: "openid profile email" },
    ...(env.BACKCHANNEL && { backchannelLogout: { store: logoutStore } }),
  }),
);

app.get("/", (req, res) => {
  const user = req.oidc.user;
  res
    .type("html")
    .send(
      page(
        "Home",
        user
          ? `<h1>Home</h1><p>Signed in as <strong>${escapeHtml(user.preferred_username)}</strong>. <a href="/account">Account</a></p>`
          : `<h1>Home</h1><p><a href="/login">Log in</a></p>`,
      ),
    );
});

app.get("/account", requiresAuth(), (req, res) => {
  const claims = req.oidc.idTokenClaims;
  res
    .type("html")
    .send(
      page(
        "Your account",
        `<h1>Your account</h1><p>Signed in as <strong>${escapeHtml(claims.preferred_username)}</strong></p><pre>${escapeHtml(JSON.stringify(claims, null, 2))}</pre>`,
      ),
    );
});

const server = app.listen(Number(env.PORT), env.HOST);
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => server.close());
