import { publicJwks } from "~/auth/index.server";

/** The app's public keys for `private_key_jwt` client authentication (the "JWKS URL" of the client at the provider). */
export const loader = () => Response.json(publicJwks(), { headers: { "Cache-Control": "public, max-age=300" } });
