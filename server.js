// The production server (`npm start`). Like remix-serve, but its access log
// prints paths without query strings: remix-serve logs every URL whole, and the
// callback URL carries the authorization code.
import { randomUUID } from "node:crypto";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady } from "@remix-run/node";
import express from "express";

process.env.NODE_ENV ??= "production";
const build = await import("./build/index.js");
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST;

const app = express();
app.disable("x-powered-by");
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
// Every file in public/ has an extension: other paths skip a disk lookup per request.
const publicFiles = express.static("public", { maxAge: "1h", index: false });
app.use((request, response, next) => (/\.\w+$/.test(request.path) ? publicFiles(request, response, next) : next()));
app.use(assignRequestId);
app.use(logRequest);
app.use(refuseCrossOriginWrites);
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const server = app.listen(port, host, () => {
  console.log(`Listening on http://${host ?? "localhost"}:${port}`);
  if (process.env.NODE_ENV === "development") void broadcastDevReady(build);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => server.close());

/**
 * Remix itself aborts a form POST whose Origin does not match Host (or
 * X-Forwarded-Host) by throwing, which answers 500. Refuse those with a clear
 * 403 first, by the same rule. The logout action also checks against APP_URL.
 */
function refuseCrossOriginWrites(request, response, next) {
  const origin = request.get("origin");
  if (!origin || !["POST", "PUT", "PATCH", "DELETE"].includes(request.method)) return next();
  const host = request.get("x-forwarded-host")?.split(",")[0]?.trim() || request.get("host");
  let originHost;
  try {
    originHost = origin === "null" ? "null" : new URL(origin).host;
  } catch {
    originHost = "invalid";
  }
  if (originHost === host) return next();
  response.status(403).type("text/plain").send("Cross-origin request refused");
}

/** Keeps a proxy's X-Request-Id when it looks like one, otherwise makes one; the app's auth log lines carry it too. */
function assignRequestId(request, response, next) {
  const given = request.get("x-request-id");
  const id = given && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
  request.headers["x-request-id"] = id;
  response.set("X-Request-Id", id);
  next();
}

/** One JSON line per request, never with the query string (codes, states, tokens). */
function logRequest(request, response, next) {
  const start = process.hrtime.bigint();
  response.on("finish", () => {
    const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e5) / 10;
    const path = request.originalUrl.split("?")[0];
    const { method } = request;
    const requestId = request.headers["x-request-id"];
    console.log(JSON.stringify({ time: new Date().toISOString(), method, path, status: response.statusCode, ms, requestId }));
  });
  next();
}
