import { OIDCStrategy, type IdTokenClaims } from "~/auth/index.server";

/**
 * A provider that always asks for the password, names users by their email,
 * and shows its logout page in German.
 */
export class PartnerStrategy<User> extends OIDCStrategy<User> {
  override name = "partner";

  protected override authorizationParams(params: URLSearchParams, request: Request) {
    const result = super.authorizationParams(params, request);
    result.set("prompt", "login");
    return result;
  }

  override profile(claims: IdTokenClaims) {
    return { ...super.profile(claims), username: claims.email ?? claims.sub };
  }

  override async endSessionRequest(logout: OIDCStrategy.Logout) {
    const request = await super.endSessionRequest(logout);
    return request && { ...request, uiLocales: "de" };
  }
}
