import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { AuthError } from "~/auth/core/errors";
import {
  DpopSigners,
  generateDpopKey,
  isDpopKey,
  requireBoundTokens,
  withDpopNonce,
} from "~/auth/protocol/dpop.server";

const client = { client_id: "app" };
const handle = async () => (await new DpopSigners(client).get(await generateDpopKey())).handle;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("withDpopNonce", () => {
  it("sends the request once more when the token endpoint or an API asks for the nonce, and only once", async () => {
    const dpop = await handle();
    for (const refusal of [
      () => json(400, { error: "use_dpop_nonce" }),
      () => new Response(null, { status: 401, headers: { "www-authenticate": 'DPoP error="use_dpop_nonce"' } }),
    ]) {
      let sent = 0;
      const response = await withDpopNonce(dpop, async () => (++sent, refusal()));
      expect(sent).toBe(2);
      expect([400, 401]).toContain(response.status);
    }
  });

  it("does not repeat other refusals, or any request without DPoP", async () => {
    const dpop = await handle();
    for (const [handleOrNot, answer] of [
      [dpop, () => json(400, { error: "invalid_grant" })],
      [dpop, () => new Response(null, { status: 401, headers: { "www-authenticate": 'DPoP error="invalid_token"' } })],
      [undefined, () => json(400, { error: "use_dpop_nonce" })],
    ] as const) {
      let sent = 0;
      await withDpopNonce(handleOrNot, async () => (++sent, answer()));
      expect(sent).toBe(1);
    }
  });
});

describe("requireBoundTokens", () => {
  const tokens = (token_type: string) => ({ access_token: "a", token_type }) as oauth.TokenEndpointResponse;

  it("refuses bearer tokens when DPoP was asked for: the provider ignored the proof", async () => {
    expect(() => requireBoundTokens(undefined, tokens("bearer"))).not.toThrow();
    const dpop = await handle();
    expect(() => requireBoundTokens(dpop, tokens("dpop"))).not.toThrow();
    expect(() => requireBoundTokens(dpop, tokens("bearer"))).toThrow(AuthError);
  });
});

describe("the session's key", () => {
  it("is a private P-256 JWK, new at every login", async () => {
    const [one, two] = [await generateDpopKey(), await generateDpopKey()];
    expect(isDpopKey(one)).toBe(true);
    expect(one.x).not.toBe(two.x);
    expect(isDpopKey({ ...one, d: undefined })).toBe(false);
    expect(isDpopKey({ ...one, crv: "P-384" })).toBe(false);
  });
});
