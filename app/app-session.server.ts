import { createCookieSessionStorage, type Session } from "@remix-run/node";
import { auth } from "~/auth.server";

/**
 * The app's own small data: preferences and flash messages, in a cookie of
 * its own next to the auth session (which holds only who is signed in, and
 * is refused at login above its size budget). This is Remix's cookie session
 * storage: signed with SESSION_SECRET (rotation works the same), not
 * encrypted, so keep nothing secret in it, and keep it small (well under
 * 1 KB): every request carries it.
 */
export interface AppSessionData {
  /** The account page's claims table is hidden. */
  hideClaims?: boolean;
}

/** Values set with `flash()`: read once, gone on the next commit. */
export interface AppFlashData {
  notice?: string;
}

export type AppSession = Session<AppSessionData, AppFlashData>;

let storage: ReturnType<typeof createAppSessionStorage> | undefined;

function createAppSessionStorage() {
  const { secureCookies, sessionSecrets } = auth.config;
  return createCookieSessionStorage<AppSessionData, AppFlashData>({
    cookie: {
      name: "app-session",
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: secureCookies,
      secrets: [...sessionSecrets],
      // Preferences outlive a sign-in; browsers keep a cookie 400 days at most.
      maxAge: 400 * 24 * 60 * 60,
    },
  });
}

const appSessionStorage = () => (storage ??= createAppSessionStorage());

/** The request's app session (empty when it has none or it was tampered with). */
export function getAppSession(request: Request): Promise<AppSession> {
  return appSessionStorage().getSession(request.headers.get("Cookie"));
}

/** The `Set-Cookie` value that saves `session`; needed after `set()`, and after reading a flash, which removes it. */
export function commitAppSession(session: AppSession): Promise<string> {
  return appSessionStorage().commitSession(session);
}
