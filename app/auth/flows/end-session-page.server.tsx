import { createHash } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import type { EndSessionForm } from "../protocol/end-session.server";

/** How the pages the module renders itself look like the app's: its stylesheet, its name and icon. */
export interface PageLook {
  /** The app's stylesheet URL (in Remix: `import href from "~/styles.css"`). */
  stylesheet?: string;
  /** Shown in a header, with `icon`, as the app's own pages show it. */
  appName?: string;
  /** @default "/favicon.svg" */
  icon?: string;
}

/** React's node type, without importing React for it (the module's packages stay those the docs name). */
type ReactNode = Parameters<typeof renderToStaticMarkup>[0];

const SUBMIT_SCRIPT = 'document.getElementById("end-session").submit();';
const SUBMIT_SCRIPT_HASH = `sha256-${createHash("sha256").update(SUBMIT_SCRIPT).digest("base64")}`;

/**
 * The small page that POSTs the end-session request to the provider: one
 * form, one inline script (allowed by its hash, nothing else is), the app's
 * stylesheet and colour scheme (`color-scheme` before the stylesheet, so a
 * dark-scheme browser never flashes white), and a visible "Continue" button
 * for browsers without JavaScript. The id_token appears in this page's form
 * and nowhere else the app produces. React escapes every value.
 */
export function endSessionPage(form: EndSessionForm, provider: string, headers: Headers, look: PageLook): Response {
  const page = (
    <StaticPage title="Logging out" look={look} script={SUBMIT_SCRIPT}>
      <h1>Logging out</h1>
      <form id="end-session" method="post" action={form.action}>
        {form.fields.map(([name, value]) => (
          <input key={name} type="hidden" name={name} defaultValue={value} />
        ))}
        <p>Ending your session at {provider}.</p>
        <p className="actions">
          <button type="submit" className="button">
            Continue
          </button>
        </p>
      </form>
    </StaticPage>
  );
  const origin = new URL(form.action).origin;
  return staticResponse(page, 200, headers, `script-src '${SUBMIT_SCRIPT_HASH}'; form-action 'self' ${origin}`);
}

export type LogoutCallbackOutcome = "ended" | "signed_out" | "invalid";

const SIGNED_OUT = {
  ended: {
    title: "You are logged out",
    text: "Your session in this app and at your identity provider has ended.",
    next: "Log in again",
  },
  signed_out: {
    title: "You are signed out",
    text: "This logout has already been completed, or its link has expired. Nothing else needed to change.",
    next: "Log in again",
  },
  invalid: {
    title: "This logout link is not valid",
    text: "It has expired, was used already, or was not started by a logout in this browser, so nothing was changed.",
    next: null,
  },
} as const;

/**
 * The page at the end of a logout (`/logout/callback`), whole in one answer: no loader of the app's layout, no
 * script, nothing to hydrate, so it arrives and shows as fast as a redirect (issue #26). It looks like the app's
 * pages: their stylesheet, header and buttons. `username`: who is signed in (a link that was not valid changed
 * nothing), else `null`; their header's Log out form ends in a redirect to the provider, which `form-action`
 * also governs, so `providerOrigins` are allowed there.
 */
export function signedOutPage(
  outcome: LogoutCallbackOutcome,
  init: { status: number; headers: Headers; username: string | null; providerOrigins: readonly string[] },
  look: PageLook,
) {
  const { title, text, next } = SIGNED_OUT[outcome];
  const page = (
    <StaticPage title={title} look={look} account={{ username: init.username }}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p className="actions">
        <a className="button" href={next ? "/login" : "/"}>
          {next ?? "Back to home"}
        </a>
        {next && <a href="/">Back to home</a>}
      </p>
    </StaticPage>
  );
  const formTargets = init.username ? init.providerOrigins : [];
  return staticResponse(page, init.status, init.headers, `form-action ${["'self'", ...formTargets].join(" ")}`);
}

function staticResponse(page: ReactNode, status: number, headers: Headers, policy: string): Response {
  const html = `<!DOCTYPE html>${renderToStaticMarkup(page)}`;
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'self'; img-src 'self'; ${policy}; frame-ancestors 'none'; base-uri 'none'`,
  );
  // no-transform: a page of a kilobyte or two is not worth a compressor on its way (remix-serve's gzips through
  // zlib's thread pool, a few milliseconds at the end of a logout: issue #26).
  headers.set("Cache-Control", "no-store, no-transform");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Frame-Options", "DENY");
  headers.set("X-Content-Type-Options", "nosniff");
  return new Response(html, { status, headers });
}

/**
 * A page of the module's own, in the app's look. With `account`, the header links home and shows who is signed
 * in, with "Log out" (a plain form post, as the app's), or "Log in".
 */
export function StaticPage(props: {
  title: string;
  look: PageLook;
  script?: string;
  account?: { username: string | null };
  children: ReactNode;
}) {
  const { title, look, script, account, children } = props;
  const { stylesheet, appName, icon = "/favicon.svg" } = look;
  const brand = (
    <>
      <img src={icon} alt="" />
      {appName}
    </>
  );
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="robots" content="noindex" />
        <title>{title}</title>
        {stylesheet && <link rel="stylesheet" href={stylesheet} />}
        <link rel="icon" href={icon} />
      </head>
      <body>
        {appName && (
          <header className="site-header">
            <div className="site-header-inner">
              {account ? (
                <a href="/" className="brand">
                  {brand}
                </a>
              ) : (
                <span className="brand">{brand}</span>
              )}
              {account && <AccountNav username={account.username} />}
            </div>
          </header>
        )}
        <main>{children}</main>
        {script && <script dangerouslySetInnerHTML={{ __html: script }} />}
      </body>
    </html>
  );
}

function AccountNav({ username }: { username: string | null }) {
  return (
    <nav className="account-nav" aria-label="Account">
      {username === null ? (
        <a className="button" href="/login">
          Log in
        </a>
      ) : (
        <>
          <span className="signed-in">
            Signed in as <strong data-testid="username">{username}</strong>
          </span>
          <form method="post" action="/logout" className="inline">
            <button type="submit" className="button">
              Log out
            </button>
          </form>
        </>
      )}
    </nav>
  );
}
