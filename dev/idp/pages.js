// Server-rendered HTML pages, Keycloak-like, without external resources.

/** @param {unknown} value */
export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f0f0f0;margin:0}
main{max-width:420px;margin:60px auto;background:#fff;padding:24px 32px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.4em;font-weight:400}label{display:block;margin-top:12px}
input{width:100%;box-sizing:border-box;padding:8px;margin-top:4px}
button{margin-top:20px;width:100%;padding:10px;background:#0066cc;color:#fff;border:0;font-size:1em;cursor:pointer}
.error{color:#c00;background:#fee;padding:8px}`;

/**
 * @param {string} title  plain text
 * @param {string} body   trusted HTML
 */
export function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>`;
}

/** A page that shows one message, e.g. an error. */
export function messagePage(/** @type {string} */ title, /** @type {string} */ message) {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p id="kc-page-message">${escapeHtml(message)}</p>`);
}

/**
 * @param {{ action: string, username?: string, error?: string }} opts
 */
export function loginPage({ action, username = "", error }) {
  return page(
    "Sign in to your account",
    `<h1 id="kc-page-title">Sign in to your account</h1>
${error ? `<div class="error" id="input-error" role="alert">${escapeHtml(error)}</div>` : ""}
<form id="kc-form-login" method="post" action="${escapeHtml(action)}">
  <label for="username">Username or email</label>
  <input id="username" name="username" type="text" value="${escapeHtml(username)}" autocomplete="username" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password">
  <button id="kc-login" name="login" type="submit">Sign In</button>
</form>`,
  );
}
