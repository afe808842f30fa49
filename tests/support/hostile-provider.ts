// An OpenID provider that answers whatever ID token a test makes: the one
// thing oidc-provider will not do. Real HTTP on loopback, keys made at run time.
import http from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { deriveNonce } from "~/auth/protocol/oidc-strategy.server";

export interface HostileProvider {
  issuer: string;
  /** Signs `claims` over valid defaults (this issuer, client remix-app, now); a claim set to undefined is left out. */
  sign(claims: JWTPayload, options?: { key?: CryptoKey; kid?: string; alg?: string }): Promise<string>;
  /** Fields of the discovery document to replace (e.g. another `issuer`). */
  metadata: Record<string, unknown>;
  /** What the token endpoint answers as `id_token`, given the nonce of the login being completed. */
  idToken: (nonce: string) => Promise<string>;
  /** What the token endpoint answers as `id_token` to a refresh grant; none when it resolves to undefined. */
  refreshIdToken: () => Promise<string | undefined>;
  /** Added to every token endpoint answer (e.g. `refresh_token`, `expires_in`). */
  tokens: Record<string, unknown>;
  /** The `grant_type` of every token request received, in order. */
  grants: string[];
  /** What userinfo answers. */
  userinfo: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * `path`: where the provider lives on its origin (e.g. `/realms/demo`, to be a Keycloak realm for the app).
 * Its authorization endpoint signs anyone in at once: it sends the browser straight back with a code.
 */
export async function startHostileProvider({
  algorithms = ["RS256"],
  path = "",
}: { algorithms?: string[]; path?: string } = {}): Promise<HostileProvider> {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" }] };
  const server = http.createServer(async (req, res) => {
    const json = (body: unknown) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", provider.issuer);
    const endpoint = url.pathname.startsWith(path) ? url.pathname.slice(path.length) : null;
    if (endpoint === "/.well-known/openid-configuration") {
      return json({
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}/auth`,
        token_endpoint: `${provider.issuer}/token`,
        userinfo_endpoint: `${provider.issuer}/userinfo`,
        jwks_uri: `${provider.issuer}/jwks`,
        id_token_signing_alg_values_supported: algorithms,
        authorization_response_iss_parameter_supported: true,
        ...provider.metadata,
      });
    }
    if (endpoint === "/auth") {
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.search = new URLSearchParams({
        code: "c",
        state: url.searchParams.get("state")!,
        iss: provider.issuer,
      }).toString();
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (endpoint === "/jwks") return json(jwks);
    if (endpoint === "/userinfo") return json(provider.userinfo);
    if (endpoint === "/token") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const params = new URLSearchParams(body);
      const grant = params.get("grant_type") ?? "";
      provider.grants.push(grant);
      const idToken =
        grant === "refresh_token"
          ? await provider.refreshIdToken()
          : await provider.idToken(deriveNonce(params.get("code_verifier") ?? ""));
      return json({
        access_token: "at",
        token_type: "Bearer",
        ...(idToken !== undefined && { id_token: idToken }),
        ...provider.tokens,
      });
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const provider: HostileProvider = {
    issuer: `http://127.0.0.1:${port}${path}`,
    async sign(claims, { key = privateKey, kid = "k1", alg = "RS256" } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: provider.issuer,
        aud: "remix-app",
        sub: "user-1",
        name: "A User",
        iat: now,
        exp: now + 300,
        ...claims,
      };
      for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg, kid }).sign(key);
    },
    metadata: {},
    idToken: async () => "",
    refreshIdToken: async () => undefined,
    tokens: {},
    grants: [],
    userinfo: {},
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return provider;
}
