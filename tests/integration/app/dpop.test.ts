// DPoP-bound tokens (RFC 9449) with the dev IdP, which does what Keycloak 26.7.3 does not: it requires its own
// DPoP-Nonce in every proof (RFC 9449 8). Another OpenID provider, "partner", whose client must use DPoP; the app
// with OIDC_PROVIDER_PARTNER_DPOP=true. Access tokens live 30 s, so every use renews them first. What the IdP
// received, proofs included, is what the tests read.
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, type JWK } from "jose";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browse, CookieJar } from "../../support/browserless";
import { encryptedSession, logInOverHttp, sessionIn } from "../../support/login";
import { startStack, type Stack } from "../../support/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    oidcProviders: [{ name: "partner", personality: { dpop: { nonce: true } } }],
    env: { OIDC_PROVIDER_PARTNER_DPOP: "true" },
    accessTokenTtl: 30,
  });
});
afterAll(() => stack?.stop());

const received = (path: string) =>
  stack.idp.requests
    .filter((r) => r.path === `/realms/partner/protocol/openid-connect/${path}`)
    .map(({ dpop }) => (dpop ? { claims: decodeJwt(dpop), jwk: decodeProtectedHeader(dpop).jwk as JWK } : null));

async function signedIn() {
  const jar = new CookieJar();
  expect((await logInOverHttp(jar, { app: stack.app.url, idp: stack.idp.url, realm: "partner" })).status).toBe(302);
  const tokens = (await sessionIn(jar, stack.app.url))!.tokens!;
  const { d: _, ...publicJwk } = tokens.dpopKey!;
  return { jar, tokens, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

describe("DPoP with an IdP that requires its nonce", () => {
  it("signs in: the token request is sent again with the IdP's nonce, signed with the key the session keeps", async () => {
    stack.idp.clearRequests();
    const { thumbprint } = await signedIn();
    const proofs = received("token");
    expect(proofs).toHaveLength(2);
    expect(proofs[0]!.claims.nonce).toBeUndefined();
    expect(typeof proofs[1]!.claims.nonce).toBe("string");
    for (const proof of proofs) expect(await calculateJwkThumbprint(proof!.jwk)).toBe(thumbprint);
  });

  it("renews and calls userinfo with proofs of the session's key: /account shows the IdP's answer", async () => {
    const { jar, tokens, thumbprint } = await signedIn();
    stack.idp.clearRequests();
    const account = await browse(jar, `${stack.app.url}/account`);
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(/data-testid="api-facts"[^]*?<\/dl>/.exec(html)?.[0]).toContain("demo@example.com");

    const renewed = (await sessionIn(jar, stack.app.url))!.tokens!;
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    expect(renewed.dpopKey).toEqual(tokens.dpopKey);
    const refresh = received("token").at(-1)!;
    const userinfo = received("userinfo").at(-1)!;
    for (const proof of [refresh, userinfo]) {
      expect(await calculateJwkThumbprint(proof.jwk)).toBe(thumbprint);
      expect(typeof proof.claims.nonce).toBe("string");
    }
    // The userinfo proof is for the renewed token (RFC 9449 7.1: its hash, `ath`).
    expect(userinfo.claims.ath).toBe(createHash("sha256").update(renewed.accessToken).digest("base64url"));
  });

  it("a session from before DPoP was turned on signs in again at its next renewal, to get bound tokens", async () => {
    const { jar } = await signedIn();
    const unbound = (await sessionIn(jar, stack.app.url))!;
    delete unbound.tokens!.dpopKey;
    const cookie = `__session=${await encryptedSession(unbound)}`;
    const account = await fetch(`${stack.app.url}/account`, { headers: { cookie }, redirect: "manual" });
    expect(account.status).toBe(302);
    expect(account.headers.get("location")).toBe("/login?returnTo=%2Faccount");
    expect(stack.app.output()).toContain("DPoP is on and the tokens are not bound");
  });

  it("a copied access token is refused by the IdP without a proof", async () => {
    const { tokens } = await signedIn();
    const userinfo = `${stack.idp.issuer("partner")}/protocol/openid-connect/userinfo`;
    for (const scheme of ["Bearer", "DPoP"]) {
      const response = await fetch(userinfo, { headers: { Authorization: `${scheme} ${tokens.accessToken}` } });
      expect([400, 401]).toContain(response.status);
    }
  });
});
