import { createHash } from "node:crypto";
import type { OIDCStrategy } from "../protocol/oidc-strategy.server";
import { isSessionTokens, type SessionTokens } from "./token-set";

// What a session holds, and its stored form (the same in the cookie and in Redis).

/** What the UI may know about the signed-in user. */
export interface SessionUser extends OIDCStrategy.Profile {
  /** The realm (or provider) that issued the session: logout goes back there, and nowhere else. */
  realm: string;
  sub: string;
  /** The provider's session id, from the ID token. */
  sid?: string;
}

/** Everything the session holds (in the cookie, or in Redis). */
export interface AuthSessionData {
  user: SessionUser;
  /** Kept for `id_token_hint` at logout. */
  idToken: string;
  /**
   * For calling APIs as the user (`getAccessToken`). `null`: left out because
   * they did not fit the cookie and no Redis is configured; absent in sessions
   * made before the app kept them.
   */
  tokens?: SessionTokens | null;
  /** Seconds since the epoch: the session ends `SESSION_MAX_AGE` after this, whatever the activity. */
  createdAt: number;
}

/**
 * What a logout revokes this session by: the provider's `sid`, or without one
 * (some providers send none) a digest of its ID token, which is new at every login.
 */
export function sessionId({ user, idToken }: AuthSessionData): string {
  return user.sid ?? `id_token:${createHash("sha256").update(idToken).digest("base64url")}`;
}

/**
 * The session as stored: each token that is a JWT (the ID token; Keycloak's
 * access and refresh tokens) as the JSON text its header and payload encode,
 * because deflate shrinks JSON far better than its base64url (a token with 60
 * groups: 4.6 KB of cookies become 3.4 KB). Tokens are rebuilt byte for byte;
 * one that would not be is stored as it is.
 */
type StoredToken = string | [header: string, payload: string, signature: string];
type StoredSession = Omit<AuthSessionData, "idToken" | "tokens"> & {
  idToken: StoredToken;
  tokens?: { accessToken: StoredToken; refreshToken?: StoredToken; expiresAt?: number } | null;
};

export function toStored(session: AuthSessionData): StoredSession {
  const { tokens } = session;
  return {
    ...session,
    idToken: packJwt(session.idToken),
    ...(tokens && {
      tokens: {
        ...tokens,
        accessToken: packJwt(tokens.accessToken),
        ...(tokens.refreshToken && { refreshToken: packJwt(tokens.refreshToken) }),
      },
    }),
  };
}

export function fromStored(value: unknown): AuthSessionData | null {
  if (typeof value !== "object" || value === null) return null;
  const { idToken, tokens } = value as Partial<StoredSession>;
  const session = {
    ...value,
    idToken: unpackJwt(idToken),
    ...(tokens && {
      tokens: {
        ...tokens,
        accessToken: unpackJwt(tokens.accessToken),
        ...(tokens.refreshToken && { refreshToken: unpackJwt(tokens.refreshToken) }),
      },
    }),
  };
  return isAuthSessionData(session) ? session : null;
}

function packJwt(token: string): StoredToken {
  const [header, payload, signature, ...rest] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) return token;
  const decoded = [header, payload].map((part) => Buffer.from(part, "base64url").toString("utf8"));
  const exact = decoded.every(
    (text, index) => Buffer.from(text, "utf8").toString("base64url") === [header, payload][index],
  );
  return exact ? [decoded[0]!, decoded[1]!, signature] : token;
}

function unpackJwt(stored: unknown): string | null {
  if (typeof stored === "string") return stored;
  if (!Array.isArray(stored) || stored.length !== 3 || !stored.every((part) => typeof part === "string")) return null;
  const [header, payload, signature] = stored as string[];
  return `${Buffer.from(header!, "utf8").toString("base64url")}.${Buffer.from(payload!, "utf8").toString("base64url")}.${signature}`;
}

function isAuthSessionData(value: unknown): value is AuthSessionData {
  if (typeof value !== "object" || value === null) return false;
  const { user, idToken, createdAt, tokens } = value as Partial<AuthSessionData>;
  return (
    typeof idToken === "string" &&
    (tokens === undefined || tokens === null || isSessionTokens(tokens)) &&
    typeof createdAt === "number" &&
    typeof user === "object" &&
    user !== null &&
    typeof user.realm === "string" &&
    typeof user.sub === "string" &&
    typeof user.username === "string"
  );
}
