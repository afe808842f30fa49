// DPoP-bound tokens (RFC 9449) on real Keycloak (26.4+): a realm of its own whose client has "Require DPoP bound
// tokens" on and a 30 s access token lifespan (so every use of the token renews it first). The app, with
// KEYCLOAK_DPOP=true, binds each session's tokens to a key of its own and signs a proof for every request.
import { calculateJwkThumbprint, decodeJwt, importJWK, SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar, decodeEntities, textOf } from "../../support/browserless";
import {
  createRealmFromFile,
  KeycloakAdmin,
  keycloakUrl,
  REALM_CLIENTS,
  startKeycloakStack,
  type KeycloakStack,
} from "../../support/keycloak";
import { logInAtKeycloak, signInAtKeycloak, startKeycloakLogin } from "../../support/keycloak-login";
import { runDoctor } from "../../support/doctor";
import { sessionIn } from "../../support/login";

const REALM = "dpop";
const keycloak = keycloakUrl();
const userinfo = `${keycloak}/realms/${REALM}/protocol/openid-connect/userinfo`;
let stack: KeycloakStack;
let admin: KeycloakAdmin;
beforeAll(async () => {
  admin = new KeycloakAdmin(keycloak);
  await createRealmFromFile(admin, REALM, { eventsEnabled: true, enabledEventTypes: ["REFRESH_TOKEN"] });
  await admin.updateClient(REALM, "remix-app", (client) => {
    client.attributes = { ...client.attributes, "dpop.bound.access.tokens": "true", "access.token.lifespan": "30" };
  });
  stack = await startKeycloakStack({ realms: [REALM], env: { KEYCLOAK_DPOP: "true" } });
});
afterAll(() => stack?.stop());

async function signedIn(app = stack.app.url): Promise<CookieJar> {
  const jar = new CookieJar();
  expect((await logInAtKeycloak(jar, { app, keycloak, realm: REALM })).status).toBe(302);
  return jar;
}

async function boundSession(jar: CookieJar) {
  const tokens = (await sessionIn(jar, stack.app.url))!.tokens!;
  const { d: _, ...publicJwk } = tokens.dpopKey!;
  const cnf = decodeJwt(tokens.accessToken).cnf as { jkt?: string } | undefined;
  return { tokens, jkt: cnf?.jkt, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

/** A DPoP proof (RFC 9449 4.2) for a GET of `url` (userinfo) with `accessToken`, signed with `jwk`. */
async function proof(jwk: Record<string, string>, accessToken: string, url = userinfo) {
  const { d: _, ...publicJwk } = jwk;
  const ath = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken))).toString(
    "base64url",
  );
  return new SignJWT({ htm: "GET", htu: url, ath })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: publicJwk })
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(await importJWK({ ...jwk, alg: "ES256" }, "ES256"));
}

describe("DPoP-bound tokens, on Keycloak", () => {
  it("binds the session's tokens to its own key: Keycloak's access token names the key (cnf.jkt)", async () => {
    const [one, two] = [await boundSession(await signedIn()), await boundSession(await signedIn())];
    expect(one.jkt).toBe(one.thumbprint);
    expect(two.jkt).toBe(two.thumbprint);
    expect(one.jkt).not.toBe(two.jkt);
  });

  it("renews the tokens and calls userinfo with proofs: /account shows Keycloak's answer, still bound to the key", async () => {
    const jar = await signedIn();
    const before = await boundSession(jar);
    const renewals = (await admin.get<unknown[]>(`/${REALM}/events?type=REFRESH_TOKEN`)).length;

    const account = await browse(jar, `${stack.app.url}/account`);
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(/data-testid="api-facts"[^]*?<\/dl>/.exec(html)?.[0]).toContain("demo@example.com");
    expect(decodeEntities(textOf(html))).toMatch(/Roles[\s\S]*admin/);

    expect((await admin.get<unknown[]>(`/${REALM}/events?type=REFRESH_TOKEN`)).length).toBeGreaterThan(renewals);
    const after = await boundSession(jar);
    expect(after.tokens.accessToken).not.toBe(before.tokens.accessToken);
    expect(after.jkt).toBe(before.thumbprint);
  });

  it("a copied access token is refused by Keycloak without a proof of the session's key", async () => {
    const { tokens } = await boundSession(await signedIn());
    const ask = (headers: Record<string, string>) => fetch(userinfo, { headers }).then((response) => response.status);
    expect(await ask({ Authorization: `Bearer ${tokens.accessToken}` })).toBe(401);
    expect(await ask({ Authorization: `DPoP ${tokens.accessToken}` })).toBe(401);
    const otherKey = (await boundSession(await signedIn())).tokens.dpopKey!;
    const withOtherKey = await proof(otherKey as never, tokens.accessToken);
    expect(await ask({ Authorization: `DPoP ${tokens.accessToken}`, DPoP: withOtherKey })).toBe(401);
    // The session's own key makes the same token good: what the app's proofs do.
    const withSessionKey = await proof(tokens.dpopKey as never, tokens.accessToken);
    const answered = await fetch(userinfo, {
      headers: { Authorization: `DPoP ${tokens.accessToken}`, DPoP: withSessionKey },
    });
    expect(answered.status).toBe(200);
    // A proof without a nonce is enough: Keycloak asks for none (RFC 9449 8 lets a server require its own).
    expect(answered.headers.get("dpop-nonce")).toBeNull();
  });

  it("sign out of all devices: Keycloak's account API refuses bound tokens, so only the app's sessions end, as the page says", async () => {
    const app = stack.app.url;
    const jar = await signedIn();
    const { tokens } = await boundSession(jar);
    // Measured on 26.7.3: the Account REST API answers 401 to the DPoP token, with a valid proof of the session's
    // key and as a bearer token alike.
    const sessionsApi = `${keycloak}/realms/${REALM}/account/sessions`;
    const askApi = (headers: Record<string, string>) =>
      fetch(sessionsApi, { headers: { ...headers, Accept: "application/json" } }).then((response) => response.status);
    const withProof = await proof(tokens.dpopKey as never, tokens.accessToken, sessionsApi);
    expect(await askApi({ Authorization: `DPoP ${tokens.accessToken}`, DPoP: withProof })).toBe(401);
    expect(await askApi({ Authorization: `Bearer ${tokens.accessToken}` })).toBe(401);

    const answer = await browse(jar, `${app}/logout-everywhere`, { form: {}, headers: { Origin: app } });
    expect(answer.headers.get("location")).toBe(`/logout/everywhere?outcome=app_only&realm=${REALM}`);
    const page = decodeEntities(textOf(await (await browse(jar, `${app}${answer.headers.get("location")}`)).text()));
    expect(page).toContain(`${REALM} does not let this app end your sessions there`);
    expect(await admin.sessions(REALM, "demo")).not.toEqual([]);
    expect((await browse(jar, `${app}/account`)).status).toBe(302);
  });

  it("npm run doctor names KEYCLOAK_DPOP for a client that requires DPoP, and passes once it is set", async () => {
    const env = {
      APP_URL: stack.app.url,
      KEYCLOAK_URL: keycloak,
      KEYCLOAK_REALM: REALM,
      KEYCLOAK_CLIENT_ID: REALM_CLIENTS.demo!.clientId,
      KEYCLOAK_CLIENT_SECRET: REALM_CLIENTS.demo!.clientSecret,
    };
    const without = await runDoctor(env);
    expect(without.code).not.toBe(0);
    const lines = without.output.split("\n");
    const failed = lines.findIndex((line) => line.startsWith(`✗ ${REALM}: client credentials`));
    expect(lines[failed]).toContain("DPoP proof is missing");
    expect(lines[failed + 1]).toContain("set KEYCLOAK_DPOP (or KEYCLOAK_REALM_DPOP_DPOP) to true");

    const withIt = await runDoctor({ ...env, KEYCLOAK_DPOP: "true" });
    expect(withIt.output).toContain(`✓ ${REALM}: DPoP`);
    expect(withIt.output).toContain(`✓ ${REALM}: client credentials`);
    expect(withIt.output).not.toContain("✗");
  });

  it("an app without KEYCLOAK_DPOP cannot sign in to a client that requires it, and says so on a page", async () => {
    const plain = await startKeycloakStack({ realms: [REALM] });
    try {
      const jar = new CookieJar();
      const target = { app: plain.app.url, keycloak, realm: REALM };
      const callback = await browse(
        jar,
        await signInAtKeycloak(jar, (await startKeycloakLogin(jar, target)).page, target),
      );
      expect(callback.status).toBe(400);
      expect(textOf(await callback.text())).toContain("Sign-in could not be completed");
      expect(plain.app.output()).toContain("DPoP proof is missing");
      expect(await sessionIn(jar, plain.app.url)).toBeNull();
    } finally {
      await plain.stop();
    }
  });
});
