// Starts Keycloak once for a test run, unless `npm run test:keycloak` already
// did (KEYCLOAK_TEST_URL set); the test files read its URL from the environment.
import { startKeycloak } from "../../dev/keycloak/index.js";

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.KEYCLOAK_TEST_URL) return;
  process.env.IDP = "keycloak";
  const keycloak = await startKeycloak({ version: process.env.KEYCLOAK_VERSION || undefined, log: () => {} });
  process.env.KEYCLOAK_TEST_URL = keycloak.url;
  return () => keycloak.stop();
}
