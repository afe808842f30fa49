// The dev IdP's access and refresh tokens, shaped like Keycloak's.
import { decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { browse, formOf } from "../../support/browserless";
import { CLIENT_ID, CLIENT_SECRET, idp, jwksOf, logoutUrl, signIn, useDevIdp } from "../../support/dev-idp-client";

useDevIdp();

describe("dev IdP: access and refresh tokens (Keycloak-like)", () => {
  const tokenRequest = (params: Record<string, string>) =>
    fetch(`${idp.issuer("demo")}/protocol/openid-connect/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(params),
    });
  const userinfo = (accessToken: string) =>
    fetch(`${idp.issuer("demo")}/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });

  it("issues JWT access tokens signed with the realm key, with azp, sid and the user's realm and client roles", async () => {
    const { tokens, claims } = await signIn("demo", "demo", "demo");
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwksOf("demo"), {
      issuer: idp.issuer("demo"),
    });
    expect(protectedHeader).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({
      azp: CLIENT_ID,
      aud: [CLIENT_ID, "account"],
      sub: claims.sub,
      sid: claims.sid,
      typ: "Bearer",
      realm_access: { roles: ["admin"] },
      resource_access: { [CLIENT_ID]: { roles: ["editor"] } },
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    const answer = await userinfo(tokens.access_token);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ sub: claims.sub, email: "demo@example.com" });
  });

  it("gives big no roles, and audience account only", async () => {
    const { tokens } = await signIn("demo", "big", "big");
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: "account", realm_access: { roles: [] } });
  });

  it("rotates refresh tokens, and ends the grant when a used one comes back", async () => {
    const { tokens } = await signIn("demo", "demo", "demo");
    const first = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(first.status).toBe(200);
    const renewed = (await first.json()) as { access_token: string; refresh_token: string };
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await userinfo(renewed.access_token)).status).toBe(200);

    const reused = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect(reused.status).toBe(400);
    expect((await reused.json()).error).toBe("invalid_grant");
    const next = await tokenRequest({ grant_type: "refresh_token", refresh_token: renewed.refresh_token });
    expect((await next.json()).error).toBe("invalid_grant");
    expect((await userinfo(renewed.access_token)).status).toBe(401);
  });

  it("refuses the refresh token and the access token of a session that ended at the IdP", async () => {
    const { jar, tokens } = await signIn("demo", "demo", "demo");
    const page = await browse(jar, logoutUrl("demo", {}));
    const { action, fields } = formOf(await page.text(), logoutUrl("demo", {}));
    await browse(jar, action, { form: { ...fields, logout: "yes" } });
    expect((await userinfo(tokens.access_token)).status).toBe(401);
    const refused = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token! });
    expect((await refused.json()).error).toBe("invalid_grant");
  });
});
