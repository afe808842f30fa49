import { createHash } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import type { EndSessionForm } from "../protocol/end-session.server";

/** How the one page the module renders itself looks like the app's: its stylesheet, its name and icon. */
export interface PageLook {
  /** The app's stylesheet URL (in Remix: `import href from "~/styles.css"`). */
  stylesheet?: string;
  /** Shown in a header, with `icon`, as the app's own pages show it. */
  appName?: string;
  /** @default "/favicon.svg" */
  icon?: string;
}

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
  const page = <EndSessionPage form={form} provider={provider} look={look} />;
  const html = `<!DOCTYPE html>${renderToStaticMarkup(page)}`;
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'self'; img-src 'self'; script-src '${SUBMIT_SCRIPT_HASH}'; form-action 'self' ${new URL(form.action).origin}; frame-ancestors 'none'; base-uri 'none'`,
  );
  headers.set("Cache-Control", "no-store");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Frame-Options", "DENY");
  headers.set("X-Content-Type-Options", "nosniff");
  return new Response(html, { status: 200, headers });
}

function EndSessionPage({ form, provider, look }: { form: EndSessionForm; provider: string; look: PageLook }) {
  return (
    <ModulePage title="Logging out" look={look}>
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
      <script dangerouslySetInnerHTML={{ __html: SUBMIT_SCRIPT }} />
    </ModulePage>
  );
}

/** A whole page in the app's look, for the few pages the module answers itself (no route component). */
export function ModulePage({
  title,
  look,
  children,
}: {
  title: string;
  look: PageLook;
  children: JSX.Element | JSX.Element[];
}) {
  const { stylesheet, appName, icon = "/favicon.svg" } = look;
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
              <span className="brand">
                <img src={icon} alt="" />
                {appName}
              </span>
            </div>
          </header>
        )}
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
