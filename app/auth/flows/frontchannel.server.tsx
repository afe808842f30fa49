import { renderToStaticMarkup } from "react-dom/server";
import { orderedNow } from "../core/clock";
import type { ProviderContext } from "../providers/context.server";
import { revocationKeys, revocationScope } from "../session/revocation.server";
import { StaticPage, type PageLook } from "./end-session-page.server";

/** Keycloak's session ids are 36 characters; anything far longer is not a provider's. */
const MAX_SID_LENGTH = 256;

/**
 * `GET /auth/:realm/frontchannel-logout?iss=…&sid=…` (OpenID Connect Front-Channel Logout 1.0): the provider's
 * logout page loads this URL in an iframe. Across sites the browser sends none of our cookies (they are
 * `SameSite=Lax`, and third-party cookies may be blocked anyway), so the session is ended by its `sid` in the
 * revocation store, on every instance, as a back-channel logout ends it.
 */
export async function handleFrontchannelLogout(
  ctx: ProviderContext & { look: PageLook },
  request: Request,
  realm: string,
): Promise<Response> {
  const provider = ctx.config.providers.find(({ name }) => name === realm);
  if (!provider) return page(ctx, 404, "Unknown provider", `No provider is called “${realm}” here.`);
  const framedBy = new URL(provider.issuer).origin;
  const params = new URL(request.url).searchParams;
  const iss = params.get("iss");
  const sid = params.get("sid");
  const refuse = (detail: string, words: string) => {
    ctx.log(request, "frontchannel_logout", { realm, outcome: "refused", detail });
    return page(ctx, 400, "Not a logout from your provider", words, framedBy);
  };
  if (!iss || !sid) {
    return refuse(
      "no iss and sid: turn on the client's Front-channel logout session required",
      `This address is for ${provider.label}'s logout page, which adds the session it ended (iss and sid). Without them no session can be found: in Keycloak, turn on the client's “Front-channel logout session required”.`,
    );
  }
  if (iss !== provider.issuer) {
    return refuse(
      "iss is not the provider's issuer",
      `The issuer named is not ${provider.label}'s, so nothing was changed.`,
    );
  }
  if (sid.length > MAX_SID_LENGTH) return refuse("sid too long", "That session id is not one of ours.");

  try {
    const [key] = revocationKeys(revocationScope(ctx.config, realm), { sid });
    await ctx.revocations.revoke(key!, orderedNow(), ctx.config.sessionMaxAge);
  } catch (error) {
    ctx.log(request, "frontchannel_logout", {
      realm,
      outcome: "failure",
      detail: `revocation store: ${String(error)}`,
    });
    return page(ctx, 503, "Logout not recorded", "The app could not record this logout just now.", framedBy);
  }
  ctx.log(request, "frontchannel_logout", { realm, outcome: "success" });
  return page(
    ctx,
    200,
    "Signed out",
    `You were signed out at ${provider.label}, so your session in this app has ended too.`,
    framedBy,
  );
}

/**
 * The answer, framable by the provider's logout page only: a CSP `frame-ancestors` of its origin, and no
 * `X-Frame-Options` (which cannot name an origin). Never cached: each load must reach the app.
 */
function page(ctx: { look: PageLook }, status: number, title: string, words: string, framedBy?: string): Response {
  const html = `<!DOCTYPE html>${renderToStaticMarkup(
    <StaticPage title={title} look={ctx.look}>
      <h1>{title}</h1>
      <p>{words}</p>
      <p className="actions">
        <a className="button" href="/">
          Back to home
        </a>
      </p>
    </StaticPage>,
  )}`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors ${framedBy ?? "'none'"}; base-uri 'none'; form-action 'none'`,
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
