import { auth } from "~/auth.server";

/** The app's public keys for `private_key_jwt` client authentication (the "JWKS URL" of the client at the provider). */
export const loader = () => Response.json(auth.publicJwks(), { headers: { "Cache-Control": "public, max-age=300" } });
