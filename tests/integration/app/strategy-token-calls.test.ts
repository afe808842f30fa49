// Every call OIDCStrategy makes to the provider's token and revocation
// endpoints goes through its oauth4webapi core, also the two it inherits from
// remix-auth-oauth2 (issue 22.5): the client authentication the provider
// supports (here private_key_jwt, which remix-auth-oauth2's own cannot do),
// timeouts, and AuthErrors. In process, against a provider over real HTTP.
import { decodeJwt, generateKeyPair } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { discover, OIDCStrategy } from "~/auth/protocol/oidc-strategy.server";
import { startHostileProvider, type HostileProvider, type ReceivedRequest } from "../../support/hostile-provider";

let provider: HostileProvider;
let metadata: OIDCStrategy.Options["metadata"];
let clientPrivateKey: OIDCStrategy.Options["clientPrivateKey"];
beforeAll(async () => {
  provider = await startHostileProvider();
  metadata = await discover(provider.issuer);
  clientPrivateKey = { key: (await generateKeyPair("ES256")).privateKey, kid: "app-key" };
});
afterAll(() => provider?.close());
beforeEach(() => {
  provider.requests.length = 0;
  provider.tokens = {};
  provider.refreshIdToken = async () => undefined;
});

const strategyFor = (providerMetadata = metadata) =>
  new OIDCStrategy(
    {
      metadata: providerMetadata,
      clientId: "remix-app",
      clientSecret: null,
      clientPrivateKey,
      redirectURI: "http://localhost:3000/auth/partner/callback",
    },
    async () => ({}),
  );

/** The request authenticated the client with a private_key_jwt assertion for this provider, and nothing else. */
function expectClientAssertion(request: ReceivedRequest) {
  expect(request.form.get("client_assertion_type")).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  expect(decodeJwt(request.form.get("client_assertion")!)).toMatchObject({ iss: "remix-app", sub: "remix-app" });
  expect(request.headers.authorization).toBeUndefined();
  expect(request.form.has("client_secret")).toBe(false);
}

describe("the calls OIDCStrategy inherits from remix-auth-oauth2", () => {
  it("refreshToken sends the refresh grant with the app's client assertion, and answers the new tokens", async () => {
    provider.tokens = { access_token: "renewed-access-token", refresh_token: "rotated-refresh-token", expires_in: 300 };
    const tokens = await strategyFor().refreshToken("old-refresh-token");
    expect(tokens.accessToken()).toBe("renewed-access-token");
    expect(tokens.refreshToken()).toBe("rotated-refresh-token");
    const [request] = provider.received("/token");
    expect(request!.form.get("grant_type")).toBe("refresh_token");
    expect(request!.form.get("refresh_token")).toBe("old-refresh-token");
    expectClientAssertion(request!);
  });

  it("refreshToken checks an ID token in the answer as a login's: one signed by another key is an AuthError", async () => {
    const otherKey = (await generateKeyPair("RS256")).privateKey;
    provider.refreshIdToken = () => provider.sign({}, { key: otherKey });
    await expect(strategyFor().refreshToken("a-refresh-token")).rejects.toMatchObject({
      name: "AuthError",
      code: "session_ended",
      detail: expect.stringMatching(/signature/i),
    });
  });

  it("revokeToken posts the token to the revocation endpoint with the same client authentication", async () => {
    await strategyFor().revokeToken("a-refresh-token");
    const [request] = provider.received("/revoke");
    expect(request!.method).toBe("POST");
    expect(request!.form.get("token")).toBe("a-refresh-token");
    expectClientAssertion(request!);
  });

  it("makes a new client assertion for every call of one strategy (its own jti)", async () => {
    const strategy = strategyFor();
    await strategy.refreshToken("first-refresh-token");
    await strategy.revokeToken("a-refresh-token");
    await strategy.refreshToken("second-refresh-token");
    const ids = provider.requests
      .filter((request) => request.form.has("client_assertion"))
      .map((request) => decodeJwt(request.form.get("client_assertion")!).jti);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it("revokeToken is an AuthError, sending nothing, when the provider has no revocation endpoint", async () => {
    const withoutRevocation = { ...metadata, revocation_endpoint: undefined };
    await expect(strategyFor(withoutRevocation).revokeToken("a-refresh-token")).rejects.toMatchObject({
      name: "AuthError",
      code: "token_exchange_failed",
    });
    expect(provider.requests).toEqual([]);
  });
});
