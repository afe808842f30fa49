// Realm keys against real Keycloak: a key rotated through the admin API while
// the app runs, and a realm that signs with ES256. Each test has a realm of
// its own, made from keycloak/realm-export.json.
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { browse, CookieJar, follow, textOf } from "../../support/browserless";
import {
  createRealmFromFile,
  KeycloakAdmin,
  keycloakUrl,
  startKeycloakStack,
  type KeycloakStack,
} from "../../support/keycloak";
import { logInAtKeycloak, sendEndSession } from "../../support/keycloak-login";
import { sessionIn } from "../../support/login";

const stacks: KeycloakStack[] = [];
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop()));
});

interface Component {
  id: string;
  name: string;
  providerId: string;
  providerType: string;
  parentId: string;
  config: Record<string, string[]>;
}

async function stackFor(realm: string, changes: Record<string, unknown> = {}) {
  await createRealmFromFile(new KeycloakAdmin(keycloakUrl()), realm, changes);
  const stack = await startKeycloakStack({ realms: [realm] });
  stacks.push(stack);
  return stack;
}

/** Logs in and out through the app; returns the ID token's header. */
async function logInAndOut(stack: KeycloakStack, realm: string) {
  const jar = new CookieJar();
  const app = stack.app.url;
  await logInAtKeycloak(jar, { app, keycloak: stack.idp.url, realm });
  const { idToken } = (await sessionIn(jar, app))!;
  // One realm configured: the header names no provider (issue 28.8); the account page names the realm.
  const account = textOf(await (await browse(jar, `${app}/account`)).text());
  expect(account).toMatch(/Signed in as demo Account/);
  expect(account).toMatch(new RegExp(`Realm ${realm} Session started`));
  const { stop } = await sendEndSession(jar, await browse(jar, `${app}/logout`, { form: {} }), app, stack.idp.url);
  expect(stop.url.startsWith(`${app}/logout/callback?state=`)).toBe(true);
  const loggedOut = await follow(jar, await browse(jar, stop.url), stop.url, app);
  expect(textOf(loggedOut.html!)).toContain("You are logged out");
  expect((await stack.admin.sessions(realm, "demo")).map((session) => session.id)).not.toContain(
    decodeJwt(idToken).sid,
  );
  return decodeProtectedHeader(idToken);
}

describe("key rotation at Keycloak", () => {
  it("a new RSA key with a higher priority and the old one disabled: the next login works without restarting the app", async () => {
    const realm = "rotation";
    const stack = await stackFor(realm);
    const before = await logInAndOut(stack, realm);

    const { admin } = stack;
    const { id: realmId } = await admin.get<{ id: string }>(`/${realm}`);
    const providers = await admin.get<Component[]>(`/${realm}/components?type=org.keycloak.keys.KeyProvider`);
    const old = providers.find((component) => component.providerId === "rsa-generated")!;
    expect(old).toBeDefined();
    await admin.request("POST", `/${realm}/components`, {
      name: "rsa-rotated",
      providerId: "rsa-generated",
      providerType: "org.keycloak.keys.KeyProvider",
      parentId: realmId,
      config: {
        priority: [String(Number(old.config.priority?.[0] ?? 100) + 100)],
        enabled: ["true"],
        active: ["true"],
        keySize: ["2048"],
      },
    });
    await admin.request("PUT", `/${realm}/components/${old.id}`, {
      ...old,
      config: { ...old.config, enabled: ["false"] },
    });
    const jwks = (await (await fetch(`${stack.idp.issuer(realm)}/protocol/openid-connect/certs`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).not.toContain(before.kid);

    const after = await logInAndOut(stack, realm);
    expect(after.alg).toBe("RS256");
    expect(after.kid).not.toBe(before.kid);
    expect(jwks.keys.map((key) => key.kid)).toContain(after.kid);
  });
});

describe("a realm whose default signature algorithm is ES256", () => {
  it("logs in and out with ES256-signed ID tokens", async () => {
    const realm = "es256";
    const stack = await stackFor(realm, { defaultSignatureAlgorithm: "ES256" });
    const header = await logInAndOut(stack, realm);
    expect(header.alg).toBe("ES256");
  });
});
