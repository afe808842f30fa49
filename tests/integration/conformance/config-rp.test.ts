// The OpenID Foundation's Config RP plan (oidcc-client-test-discovery-*,
// oidcc-client-test-signing-key-rotation*): one test per module, named after
// it. The app's production build finds each provider by discovery and signs in
// through it, the provider misbehaving as the module describes; each test
// asserts the outcome the plan expects and what the provider received.
// README.md lists every module and its test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApp } from "../../support/app";
import { expectLoggedIn, logInAt, startRp } from "../../support/conformance-rp";
import { browse, CookieJar, textOf } from "../../support/browserless";
import { startHostileProvider, type HostileProvider } from "../../support/hostile-provider";
import { sessionIn } from "../../support/login";

/** The app's realm demo, whose discovery names another issuer. */
let demo: HostileProvider;
/** A provider whose endpoints are where only its discovery document says. */
let discovered: HostileProvider;
/** A provider whose keys are where only its discovery document's jwks_uri says. */
let keys: HostileProvider;
/** Providers that rotate their signing key, one per module: the app reloads keys at most every 5 s per provider. */
let rotating: HostileProvider;
let rotatingJustBeforeSigning: HostileProvider;
let rp: RunningApp;

beforeAll(async () => {
  demo = await startHostileProvider({ path: "/realms/demo" });
  demo.metadata = { issuer: "https://sso.example.com/realms/demo" };
  discovered = await startHostileProvider({
    endpoints: { authorization: "/sign-in-here", token: "/tokens-here", userinfo: "/me-here", jwks: "/keys-here" },
  });
  keys = await startHostileProvider({ endpoints: { jwks: "/published/signing-keys" } });
  rotating = await startHostileProvider();
  rotatingJustBeforeSigning = await startHostileProvider();
  for (const provider of [discovered, keys, rotating, rotatingJustBeforeSigning]) {
    provider.idToken = (nonce) => provider.sign({ nonce });
    provider.userinfo = { sub: "user-1", name: "A User" };
  }
  rp = await startRp({ demo, discovered, keys, rotating, justbefore: rotatingJustBeforeSigning });
});
afterAll(async () => {
  await rp?.stop();
  await Promise.all([demo, discovered, keys, rotating, rotatingJustBeforeSigning].map((provider) => provider?.close()));
});

/** The kid of the ID token a login's session keeps. */
async function kidInSession(jar: CookieJar): Promise<string> {
  const { idToken } = (await sessionIn(jar, rp.url))!;
  return JSON.parse(Buffer.from(idToken.split(".")[0]!, "base64url").toString()).kid;
}

describe("Config RP", () => {
  it("oidcc-client-test-discovery-openid-config: finds the provider's endpoints in its discovery document and signs in through them", async () => {
    const login = await logInAt(rp, "discovered", discovered);
    expect(discovered.received("/.well-known/openid-configuration")[0]?.method).toBe("GET");
    expect(discovered.requests.map(({ method, endpoint }) => `${method} ${endpoint}`)).toEqual(
      expect.arrayContaining(["GET /sign-in-here", "POST /tokens-here", "GET /keys-here"]),
    );
    // Nothing was guessed: no request went anywhere discovery did not name.
    const named = ["/.well-known/openid-configuration", "/sign-in-here", "/tokens-here", "/me-here", "/keys-here"];
    expect(discovered.requests.filter(({ endpoint }) => !named.includes(endpoint))).toEqual([]);
    await expectLoggedIn(rp, login);
  });

  it("oidcc-client-test-discovery-jwks-uri-keys: checks the ID token with the key it fetched from the jwks_uri of discovery", async () => {
    const login = await logInAt(rp, "keys", keys);
    expect(keys.received("/published/signing-keys").map(({ method }) => method)).toEqual(["GET"]);
    const jwksFetch = keys.requests.findIndex(({ endpoint }) => endpoint === "/published/signing-keys");
    expect(jwksFetch).toBeGreaterThan(keys.requests.findIndex(({ endpoint }) => endpoint === "/token"));
    await expectLoggedIn(rp, login);
    expect(await kidInSession(login.jar)).toBe(keys.signingKey.kid);
  });

  it("oidcc-client-test-discovery-issuer-mismatch: refuses a discovery document naming another issuer, and says so", async () => {
    const response = await browse(new CookieJar(), `${rp.url}/auth/demo/login`);
    expect(response.status).toBe(502);
    const text = textOf(await response.text());
    expect(text).toContain("The identity provider answered as another issuer");
    expect(text).not.toContain("unreachable");
    await expect
      .poll(() => rp.output())
      .toMatch(/"event":"login_failed","realm":"demo","outcome":"failure","code":"issuer_mismatch"/);
    const line = rp
      .output()
      .split("\n")
      .find((entry) => entry.includes('"code":"issuer_mismatch"'))!;
    expect(JSON.parse(line).detail).toBe(
      `discovery answered as issuer "https://sso.example.com/realms/demo", the app expects "${demo.issuer}"`,
    );
  });

  it("oidcc-client-test-signing-key-rotation: signs in again after the provider rotated its key between two logins, fetching the new JWKS", async () => {
    const first = await logInAt(rp, "rotating", rotating);
    await expectLoggedIn(rp, first);
    expect(await kidInSession(first.jar)).toBe("k1");
    expect(rotating.received("/jwks")).toHaveLength(1);

    const { kid } = await rotating.rotateKey();
    const second = await logInAt(rp, "rotating", rotating);
    await expectLoggedIn(rp, second);
    expect(await kidInSession(second.jar)).toBe(kid);
    expect(rotating.received("/jwks")).toHaveLength(2);
  });

  // The app fetches keys when it first checks an ID token: a first login puts the old key in its cache, or
  // nothing would tell this module from a first login.
  it("oidcc-client-test-signing-key-rotation-just-before-signing: accepts an ID token signed by a key the provider rotated to just before signing it, fetching the JWKS again", async () => {
    const provider = rotatingJustBeforeSigning;
    await expectLoggedIn(rp, await logInAt(rp, "justbefore", provider));
    const requestsBefore = provider.requests.length;

    let rotatedTo = "";
    provider.idToken = async (nonce) => {
      rotatedTo = (await provider.rotateKey()).kid;
      return provider.sign({ nonce });
    };
    const login = await logInAt(rp, "justbefore", provider);
    await expectLoggedIn(rp, login);
    expect(await kidInSession(login.jar)).toBe(rotatedTo);
    // The new key was in no JWKS until the token request: the app fetched it after that.
    const since = provider.requests.slice(requestsBefore).map(({ endpoint }) => endpoint);
    expect(since.filter((endpoint) => endpoint === "/token" || endpoint === "/jwks")).toEqual(["/token", "/jwks"]);
  });
});
