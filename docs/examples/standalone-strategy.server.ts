import { Authenticator } from "remix-auth";
import { discover, OIDCStrategy } from "~/auth/index.server";

export interface PartnerUser {
  sub: string;
  name?: string;
  idToken: string;
}

/**
 * OIDCStrategy on its own, in another app's Authenticator: discovery first,
 * then the strategy, whose verify callback decides what the user is.
 */
export async function createPartnerAuthenticator(issuer: string, appUrl: string) {
  const strategy = new OIDCStrategy<PartnerUser>(
    {
      metadata: await discover(issuer), // throws an AuthError "idp_unreachable" if the provider is down
      clientId: "remix-app",
      clientSecret: process.env.PARTNER_CLIENT_SECRET ?? null,
      redirectURI: `${appUrl}/auth/partner/callback`,
      cookieName: "partner-login",
    },
    async ({ claims, idToken, profile }) => ({ sub: claims.sub, name: profile.name, idToken }),
  );
  const authenticator = new Authenticator<PartnerUser>();
  authenticator.use(strategy, "partner");
  return { authenticator, strategy };
}
