// What OIDCStrategy refuses in an ID token (OpenID Connect Core 3.1.3.7),
// from a provider that sends whatever a test makes it send: the checks beyond
// the OpenID Foundation's Basic RP modules, whose tests drive the whole app
// (tests/integration/conformance/basic-rp.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "~/auth/core/errors";
import { discover, OIDCStrategy } from "~/auth/protocol/oidc-strategy.server";
import { startHostileProvider, type HostileProvider } from "../../support/hostile-provider";

let provider: HostileProvider;
beforeAll(async () => {
  provider = await startHostileProvider();
});
afterAll(() => provider?.close());

/** A whole login through the strategy, the token endpoint answering `idToken`: "ok" or the AuthError's code. */
async function loginWith(idToken: (nonce: string) => Promise<string>): Promise<string> {
  provider.idToken = idToken;
  const strategy = new OIDCStrategy(
    {
      metadata: await discover(provider.issuer),
      clientId: "remix-app",
      clientSecret: null,
      redirectURI: "http://app.test/auth/x/callback",
    },
    async ({ profile }) => profile,
  );
  const start = (await strategy
    .authenticate(new Request("http://app.test/auth/x/login"))
    .catch((thrown: unknown) => thrown)) as Response;
  const state = new URL(start.headers.get("Location")!).searchParams.get("state")!;
  const query = new URLSearchParams({ code: "c", state, iss: provider.issuer });
  const callback = new Request(`http://app.test/auth/x/callback?${query}`, {
    headers: { Cookie: start.headers.get("Set-Cookie")!.split(";")[0]! },
  });
  const error = await strategy.authenticate(callback).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (error === null) return "ok";
  expect(error).toBeInstanceOf(AuthError);
  return (error as AuthError).code;
}

const now = () => Math.floor(Date.now() / 1000);

describe("the ID token at login", () => {
  it.each([
    ["several audiences and no azp", { aud: ["remix-app", "api"] }],
    ["an azp that is another client", { azp: "someone-else" }],
  ])("refuses a token with %s", async (_label, claims) => {
    expect(await loginWith((nonce) => provider.sign({ nonce, ...claims }))).toBe("invalid_id_token");
  });

  it.each([
    ["no nonce", async () => provider.sign({})],
    ["an unknown kid", (nonce: string) => provider.sign({ nonce }, { kid: "rotated-away" })],
  ])("refuses a token with %s", async (_label, token) => {
    expect(await loginWith(token)).toBe("invalid_id_token");
  });

  it("accepts several audiences when azp names this client", async () => {
    expect(await loginWith((nonce) => provider.sign({ nonce, aud: ["remix-app", "api"], azp: "remix-app" }))).toBe(
      "ok",
    );
  });
});

describe("clock differences", () => {
  it.each([
    ["ahead", { iat: now() + 600, exp: now() + 900 }],
    ["behind", { iat: now() - 900, exp: now() - 600 }],
  ])("refuses a token from a provider whose clock is 10 minutes %s, as clock_skew", async (_label, claims) => {
    expect(await loginWith((nonce) => provider.sign({ nonce, ...claims }))).toBe("clock_skew");
  });

  it.each([
    ["ahead", { iat: now() + 100, exp: now() + 400 }],
    ["behind", { iat: now() - 400, exp: now() - 100 }],
  ])("accepts a provider whose clock is within the 120 s tolerance %s", async (_label, claims) => {
    expect(await loginWith((nonce) => provider.sign({ nonce, ...claims }))).toBe("ok");
  });
});
