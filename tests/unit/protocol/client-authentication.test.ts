import { decodeJwt, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { clientAuthentication, type ProviderMetadata } from "~/auth/protocol/oidc-protocol.server";

const issuer = "https://login.example.com/";
const metadata = (methods?: string[]): ProviderMetadata => ({
  issuer,
  authorization_endpoint: `${issuer}authorize`,
  token_endpoint: `${issuer}token`,
  jwks_uri: `${issuer}jwks`,
  ...(methods && { token_endpoint_auth_methods_supported: methods }),
});

/** What a token request would carry: its Authorization header and form fields. */
async function sentWith(as: ProviderMetadata, credentials: Parameters<typeof clientAuthentication>[1]) {
  const body = new URLSearchParams();
  const headers = new Headers();
  await clientAuthentication(as, credentials)(as, { client_id: "remix-app" }, body, headers);
  return { authorization: headers.get("authorization"), form: Object.fromEntries(body) };
}

describe("clientAuthentication", () => {
  it.each([
    ["absent (the default is Basic)", undefined],
    ["Basic and post", ["client_secret_post", "client_secret_basic"]],
    ["Basic among others", ["private_key_jwt", "client_secret_basic"]],
    ["neither Basic nor post", ["private_key_jwt"]],
  ])("sends the secret with HTTP Basic when the supported methods are %s", async (_label, methods) => {
    const sent = await sentWith(metadata(methods), { clientSecret: "s3cret ü" });
    // RFC 6749 2.3.1: both parts form-encoded before the Basic encoding.
    const [scheme, encoded] = sent.authorization!.split(" ");
    const [id, secret] = Buffer.from(encoded!, "base64").toString().split(":");
    expect([scheme, id, secret].map((part) => decodeURIComponent(part!.replace(/\+/g, " ")))).toEqual([
      "Basic",
      "remix-app",
      "s3cret ü",
    ]);
    expect(sent.form).toEqual({});
  });

  it("sends the secret in the form when the provider supports only client_secret_post", async () => {
    const sent = await sentWith(metadata(["client_secret_post", "private_key_jwt"]), { clientSecret: "s3cret" });
    expect(sent).toEqual({ authorization: null, form: { client_id: "remix-app", client_secret: "s3cret" } });
  });

  it("sends only the client id for a public client", async () => {
    expect(await sentWith(metadata(), { clientSecret: null })).toEqual({
      authorization: null,
      form: { client_id: "remix-app" },
    });
  });

  it("signs an RFC 7523 assertion when a private key is configured, whatever the secret", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const sent = await sentWith(metadata(["client_secret_basic"]), {
      clientSecret: "s3cret",
      clientPrivateKey: { key: privateKey, kid: "app-1" },
    });
    expect(sent.authorization).toBeNull();
    expect(sent.form.client_assertion_type).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    const claims = decodeJwt(sent.form.client_assertion!);
    expect(claims).toMatchObject({ iss: "remix-app", sub: "remix-app", aud: issuer, jti: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
  });
});
