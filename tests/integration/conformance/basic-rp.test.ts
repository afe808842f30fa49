// The OpenID Foundation's Basic RP plan (oidcc-client-test-*): one test per
// module, named after it. The app's production build signs in through a
// provider that misbehaves as the module describes; each test asserts the
// outcome the plan expects (accepted: /account shows the user; refused: the
// page "Sign-in could not be verified", no session) and what the provider
// received. README.md lists every module and its test.
import { createHash, createHmac } from "node:crypto";
import { generateKeyPair } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_CLIENT, type RunningApp } from "../../support/app";
import { expectLoggedIn, expectRefused, logInAt, startRp } from "../../support/conformance-rp";
import { startHostileProvider, type HostileProvider } from "../../support/hostile-provider";
import { sessionIn } from "../../support/login";

/** The app's realm demo: RS256 with one key, HTTP Basic client authentication as discovery says. */
let demo: HostileProvider;
/** A provider signing ES256, with one EC key. */
let es256: HostileProvider;
/** A provider whose JWKS holds two RSA keys for RS256. */
let twoKeys: HostileProvider;
/** A provider advertising `none` and HS256 next to RS256. */
let anyAlg: HostileProvider;
let rp: RunningApp;

beforeAll(async () => {
  demo = await startHostileProvider({ path: "/realms/demo" });
  demo.metadata = { token_endpoint_auth_methods_supported: ["client_secret_basic"] };
  es256 = await startHostileProvider({ algorithms: ["ES256"] });
  twoKeys = await startHostileProvider();
  twoKeys.jwks = [twoKeys.signingKey.jwk, (await twoKeys.newKey()).jwk];
  anyAlg = await startHostileProvider({ algorithms: ["RS256", "HS256", "none"] });
  rp = await startRp({ demo, es256, twokeys: twoKeys, anyalg: anyAlg });
});
afterAll(async () => {
  await rp?.stop();
  await Promise.all([demo, es256, twoKeys, anyAlg].map((provider) => provider?.close()));
});
beforeEach(() => {
  for (const provider of [demo, es256, twoKeys, anyAlg]) {
    provider.idToken = (nonce) => provider.sign({ nonce });
    provider.userinfo = { sub: "user-1", name: "A User" };
    provider.requests.length = 0;
  }
});

/** The header of the ID token the session keeps. */
const headerOf = (idToken: string) => JSON.parse(Buffer.from(idToken.split(".")[0]!, "base64url").toString());

const now = () => Math.floor(Date.now() / 1000);

describe("Basic RP", () => {
  it("oidcc-client-test: signs in by the code flow with state, nonce and PKCE S256, and shows the user on /account", async () => {
    const login = await logInAt(rp, "demo", demo);
    const [authorization] = demo.received("/auth");
    const query = Object.fromEntries(authorization!.query);
    expect(query).toMatchObject({
      response_type: "code",
      client_id: "remix-app",
      redirect_uri: `${rp.url}/auth/demo/callback`,
      code_challenge_method: "S256",
    });
    expect(query.scope!.split(" ")).toContain("openid");
    for (const param of ["state", "nonce", "code_challenge"]) expect(query[param]).toMatch(/^[\w-]{20,}$/);
    const [token] = demo.received("/token");
    expect(token!.method).toBe("POST");
    expect(Object.fromEntries(token!.form)).toMatchObject({
      grant_type: "authorization_code",
      code: "c",
      redirect_uri: `${rp.url}/auth/demo/callback`,
    });
    const verifier = token!.form.get("code_verifier")!;
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(query.code_challenge);
    await expectLoggedIn(rp, login);
  });

  it.each([
    [
      "oidcc-client-test-invalid-iss",
      "an ID token from another issuer",
      { iss: "https://sso.example.com/realms/other" },
      /unexpected JWT "iss"/,
    ],
    [
      "oidcc-client-test-missing-sub",
      "an ID token without sub",
      { sub: undefined },
      /JWT "sub" \(subject\) claim missing/,
    ],
    [
      "oidcc-client-test-invalid-aud",
      "an ID token for another client",
      { aud: "someone-else" },
      /unexpected JWT "aud"/,
    ],
    [
      "oidcc-client-test-missing-aud",
      "an ID token without aud",
      { aud: undefined },
      /JWT "aud" \(audience\) claim missing/,
    ],
    [
      "oidcc-client-test-missing-iat",
      "an ID token without iat",
      { iat: undefined },
      /JWT "iat" \(issued at\) claim missing/,
    ],
    [
      "oidcc-client-test-nonce-invalid",
      "an ID token with another nonce",
      { nonce: "n-attacker" },
      /unexpected ID Token "nonce"/,
    ],
  ])(
    '%s: refuses %s with the page "Sign-in could not be verified" and no session',
    async (_module, _label, claims, why) => {
      demo.idToken = (nonce) => demo.sign({ nonce, ...claims });
      await expectRefused(rp, await logInAt(rp, "demo", demo), { why });
    },
  );

  it("oidcc-client-test-kid-absent-single-jwks: accepts an ID token without kid when the JWKS holds one key", async () => {
    demo.idToken = (nonce) => demo.sign({ nonce }, { kid: null });
    const login = await logInAt(rp, "demo", demo);
    await expectLoggedIn(rp, login);
    expect(headerOf((await sessionIn(login.jar, rp.url))!.idToken)).toEqual({ alg: "RS256" });
  });

  // The plan accepts either outcome. We refuse: OpenID Connect Core 10.1 says a kid MUST be sent when the JWKS
  // holds several keys, and trying each key in turn would make any key the provider lists good for any token.
  it('oidcc-client-test-kid-absent-multiple-jwks: refuses an ID token without kid when the JWKS holds two keys for its alg, with the page "Sign-in could not be verified" and no session', async () => {
    expect(twoKeys.jwks.map(({ kty, alg }) => `${kty} ${alg}`)).toEqual(["RSA RS256", "RSA RS256"]);
    twoKeys.idToken = (nonce) => twoKeys.sign({ nonce }, { kid: null });
    const login = await logInAt(rp, "twokeys", twoKeys);
    await expectRefused(rp, login, { why: /multiple applicable keys found, a "kid" JWT Header Parameter is required/ });
  });

  it('oidcc-client-test-idtoken-sig-none: refuses an unsigned ID token (alg none), although the provider advertises none, with the page "Sign-in could not be verified" and no session', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    anyAlg.idToken = async (nonce) =>
      `${encode({ alg: "none" })}.${encode({ iss: anyAlg.issuer, aud: "remix-app", sub: "user-1", name: "A User", nonce, iat: now(), exp: now() + 60 })}.`;
    await expectRefused(rp, await logInAt(rp, "anyalg", anyAlg), { why: /unsupported JWS "alg" identifier/ });
  });

  it('oidcc-client-test-invalid-sig-rs256: refuses an RS256 ID token whose signature its kid\'s key does not verify, with the page "Sign-in could not be verified" and no session', async () => {
    const { privateKey } = await generateKeyPair("RS256");
    demo.idToken = (nonce) => demo.sign({ nonce }, { key: privateKey });
    await expectRefused(rp, await logInAt(rp, "demo", demo), { why: /JWT signature verification failed/ });
  });

  it('oidcc-client-test-invalid-sig-es256: refuses an ES256 ID token whose signature its kid\'s key does not verify, with the page "Sign-in could not be verified" and no session', async () => {
    const { privateKey } = await generateKeyPair("ES256");
    es256.idToken = (nonce) => es256.sign({ nonce }, { key: privateKey });
    await expectRefused(rp, await logInAt(rp, "es256", es256), { why: /JWT signature verification failed/ });
  });

  // By design the app takes only asymmetric signatures, never HS*, which would make the client secret a signing
  // key: oauth4webapi checks ID tokens against the JWKS only (allowedAlgorithms does the same for logout and
  // access tokens). So even a correct HMAC with the client secret is refused, a wrong one all the more.
  it('oidcc-client-test-invalid-sig-hs256: refuses an HS256 ID token, even one signed with the client secret, with the page "Sign-in could not be verified" and no session', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    anyAlg.idToken = async (nonce) => {
      const claims = {
        iss: anyAlg.issuer,
        aud: "remix-app",
        sub: "user-1",
        name: "A User",
        nonce,
        iat: now(),
        exp: now() + 60,
      };
      const signed = `${encode({ alg: "HS256" })}.${encode(claims)}`;
      return `${signed}.${createHmac("sha256", TEST_CLIENT.clientSecret).update(signed).digest("base64url")}`;
    };
    await expectRefused(rp, await logInAt(rp, "anyalg", anyAlg), { why: /unsupported JWS algorithm/ });
  });

  it('oidcc-client-test-userinfo-invalid-sub: refuses a login whose userinfo answer names another sub, with the page "Sign-in could not be verified" and no session', async () => {
    demo.idToken = (nonce) => demo.sign({ nonce, name: undefined });
    demo.userinfo = { sub: "someone-else", name: "Mallory" };
    const login = await logInAt(rp, "demo", demo);
    expect(demo.received("/userinfo")).toHaveLength(1);
    await expectRefused(rp, login, { why: /^userinfo: .*"sub" property value/ });
  });

  it("oidcc-client-test-scope-userinfo-claims: asks for the profile and email scopes, and shows the claims userinfo answers", async () => {
    demo.idToken = (nonce) => demo.sign({ nonce, name: undefined });
    demo.userinfo = { sub: "user-1", name: "Ursula Info", email: "ursula@example.com" };
    const login = await logInAt(rp, "demo", demo);
    const scopes = demo.received("/auth")[0]!.query.get("scope")!.split(" ");
    expect(scopes).toEqual(expect.arrayContaining(["openid", "profile", "email"]));
    const [userinfo] = demo.received("/userinfo");
    expect(userinfo!.headers.authorization).toBe("Bearer at");
    const account = await expectLoggedIn(rp, login, { name: "Ursula Info" });
    expect(account).toContain("ursula@example.com");
    expect((await sessionIn(login.jar, rp.url))!.user).toMatchObject({
      name: "Ursula Info",
      email: "ursula@example.com",
    });
  });

  it("oidcc-client-test-client-secret-basic: authenticates at the token endpoint with HTTP Basic, the secret nowhere in the body", async () => {
    const login = await logInAt(rp, "demo", demo);
    const [token] = demo.received("/token");
    const [scheme, credentials] = token!.headers.authorization!.split(" ");
    expect(scheme).toBe("Basic");
    // Each part form-encoded, then joined by a colon (RFC 6749 2.3.1).
    const [id, secret] = Buffer.from(credentials!, "base64").toString().split(":").map(decodeURIComponent);
    expect({ id, secret }).toEqual({ id: TEST_CLIENT.clientId, secret: TEST_CLIENT.clientSecret });
    expect([...token!.form.keys()]).not.toContain("client_secret");
    expect(token!.form.toString()).not.toContain(TEST_CLIENT.clientSecret);
    await expectLoggedIn(rp, login);
  });

  it("oidcc-client-test-idtoken-sig-rs256: accepts an ID token signed RS256 with the key its JWKS lists", async () => {
    const login = await logInAt(rp, "demo", demo);
    await expectLoggedIn(rp, login);
    expect(headerOf((await sessionIn(login.jar, rp.url))!.idToken)).toEqual({ alg: "RS256", kid: "k1" });
  });

  it("oidcc-client-test-idtoken-sig-es256: accepts an ID token signed ES256 with the key its JWKS lists", async () => {
    const login = await logInAt(rp, "es256", es256);
    await expectLoggedIn(rp, login);
    expect(headerOf((await sessionIn(login.jar, rp.url))!.idToken)).toEqual({ alg: "ES256", kid: "k1" });
  });
});
