// The app `npm run keycloak` points the realms' clients at, and the commands it
// prints to run that app against it: read from the variables the app reads
// (APP_URL, else PORT), so the printed commands start the app where Keycloak
// sends the browser back.
import { appUrlFrom, portFrom } from "../app-env.js";

/** The client of realm demo in keycloak/realm-export.json. */
const DEMO_CLIENT = { clientId: "remix-app", clientSecret: "change-me-in-keycloak-credentials-tab" };

/**
 * The app's origin and the port it listens on: PORT, else the port of a
 * loopback APP_URL (http://localhost:3107), else 3000, as `npm start` does.
 * @param {Record<string, string | undefined>} env
 * @returns {{ url: string, port: number }}
 * @throws {Error} a one-line message naming the variable
 */
export function appFor(env) {
  const url = appUrlFrom(env);
  const { hostname, port } = new URL(url);
  const loopbackPort = ["localhost", "127.0.0.1"].includes(hostname) && port ? Number(port) : undefined;
  return { url, port: env.PORT?.trim() || !loopbackPort ? portFrom(env, "PORT", 3000) : loopbackPort };
}

/**
 * Shell lines that run the app against Keycloak at `keycloakUrl`: the
 * environment (`export`), then `npm run dev`, or the production build.
 * @param {string} keycloakUrl
 * @param {{ url: string, port: number }} app
 */
export function appCommands(keycloakUrl, app) {
  return {
    environment: [
      `export APP_URL=${app.url} PORT=${app.port} KEYCLOAK_URL=${keycloakUrl} KEYCLOAK_REALM=demo \\`,
      `  KEYCLOAK_CLIENT_ID=${DEMO_CLIENT.clientId} KEYCLOAK_CLIENT_SECRET=${DEMO_CLIENT.clientSecret}`,
    ],
    dev: "npm run dev",
    production: ["npm run build", 'SESSION_SECRET="$(openssl rand -base64 48)" npm start'],
  };
}
