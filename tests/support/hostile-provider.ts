// An OpenID provider that answers whatever ID token a test makes: the one
// thing oidc-provider will not do. Real HTTP on loopback, keys made at run time.
import http from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";
import { deriveNonce } from "~/auth/protocol/oidc-strategy.server";

/** A key pair of the provider: the private half to sign with, the public half as its JWKS would list it. */
export interface SigningKey {
  key: CryptoKey;
  kid: string;
  alg: string;
  jwk: JWK;
}

/** One request the provider received, as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Its path below the provider's `path`, e.g. `/token`. */
  endpoint: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The form fields of its body (a POST's). */
  form: URLSearchParams;
}

/** Where the endpoints that discovery names live, below the provider's `path`. */
export interface Endpoints {
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  revocation: string;
}

export interface HostileProvider {
  issuer: string;
  /**
   * Signs `claims` over valid defaults (this issuer, client remix-app, now); a claim set to undefined is left out.
   * Signs with `signingKey` unless told otherwise; `kid: null` leaves the kid out of the header.
   */
  sign(claims: JWTPayload, options?: { key?: CryptoKey; kid?: string | null; alg?: string }): Promise<string>;
  /** The key `sign` uses by default: `k1`, for the first of `algorithms`, until `rotateKey`. */
  signingKey: SigningKey;
  /** The public keys the JWKS endpoint answers (the signing key's at first). */
  jwks: JWK[];
  /** A new key pair, not published: `alg` RS256 and the next free kid (`k2`, `k3`…) unless told. */
  newKey(options?: { alg?: string; kid?: string }): Promise<SigningKey>;
  /** Rotates: a new key of the same algorithm becomes the signing key and the only key in the JWKS. */
  rotateKey(): Promise<SigningKey>;
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
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** The requests received at `endpoint` (a path below the provider's `path`, e.g. `/token`), in order. */
  received(endpoint: string): ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * `path`: where the provider lives on its origin (e.g. `/realms/demo`, to be a Keycloak realm for the app).
 * `endpoints`: where its endpoints live below it, when not at `/auth`, `/token`, `/userinfo`, `/jwks` and `/revoke`.
 * Its authorization endpoint signs anyone in at once: it sends the browser straight back with a code.
 */
export async function startHostileProvider({
  algorithms = ["RS256"],
  path = "",
  endpoints: endpointPaths = {},
}: { algorithms?: string[]; path?: string; endpoints?: Partial<Endpoints> } = {}): Promise<HostileProvider> {
  const endpoints: Endpoints = {
    authorization: "/auth",
    token: "/token",
    userinfo: "/userinfo",
    jwks: "/jwks",
    revocation: "/revoke",
    ...endpointPaths,
  };
  let keysMade = 0;
  const newKey: HostileProvider["newKey"] = async ({ alg = "RS256", kid = `k${keysMade + 1}` } = {}) => {
    keysMade += 1;
    const { publicKey, privateKey } = await generateKeyPair(alg);
    return { key: privateKey, kid, alg, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
  };
  const firstKey = await newKey({ alg: algorithms[0] });

  const server = http.createServer(async (req, res) => {
    const json = (body: unknown) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", provider.issuer);
    let body = "";
    for await (const chunk of req) body += chunk;
    const endpoint = url.pathname.startsWith(path) ? url.pathname.slice(path.length) : null;
    if (endpoint !== null) {
      const form = new URLSearchParams(body);
      provider.requests.push({
        method: req.method ?? "GET",
        endpoint,
        query: url.searchParams,
        headers: req.headers,
        form,
      });
    }
    if (endpoint === "/.well-known/openid-configuration") {
      return json({
        issuer: provider.issuer,
        authorization_endpoint: `${provider.issuer}${endpoints.authorization}`,
        token_endpoint: `${provider.issuer}${endpoints.token}`,
        userinfo_endpoint: `${provider.issuer}${endpoints.userinfo}`,
        jwks_uri: `${provider.issuer}${endpoints.jwks}`,
        revocation_endpoint: `${provider.issuer}${endpoints.revocation}`,
        id_token_signing_alg_values_supported: algorithms,
        authorization_response_iss_parameter_supported: true,
        ...provider.metadata,
      });
    }
    if (endpoint === endpoints.authorization) {
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.search = new URLSearchParams({
        code: "c",
        state: url.searchParams.get("state")!,
        iss: provider.issuer,
      }).toString();
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (endpoint === endpoints.jwks) return json({ keys: provider.jwks });
    if (endpoint === endpoints.userinfo) return json(provider.userinfo);
    // RFC 7009 2.2: 200 whether or not the token was valid.
    if (endpoint === endpoints.revocation) return res.end();
    if (endpoint === endpoints.token) {
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
    async sign(claims, options = {}) {
      const { key = provider.signingKey.key, alg = provider.signingKey.alg } = options;
      const kid = options.kid === undefined ? provider.signingKey.kid : options.kid;
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
      return new SignJWT(payload).setProtectedHeader(kid === null ? { alg } : { alg, kid }).sign(key);
    },
    signingKey: firstKey,
    jwks: [firstKey.jwk],
    newKey,
    async rotateKey() {
      provider.signingKey = await newKey({ alg: provider.signingKey.alg });
      provider.jwks = [provider.signingKey.jwk];
      return provider.signingKey;
    },
    metadata: {},
    idToken: async () => "",
    refreshIdToken: async () => undefined,
    tokens: {},
    grants: [],
    userinfo: {},
    requests: [],
    received: (endpoint) => provider.requests.filter((request) => request.endpoint === endpoint),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return provider;
}
