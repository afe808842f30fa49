import { readForm, send } from "./http.js";
import { loginPage, messagePage } from "./pages.js";

/**
 * The login step of an authorization request (oidc-provider "interaction"),
 * served at /realms/{realm}/login-actions/{uid}.
 * @param {{ provider: any, users: import("./users.js").IdpUser[] }} realm
 * @param {string} uid
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {string} action  this page's path, for the form
 */
export async function handleLogin({ provider, users }, uid, req, res, action) {
  const interaction = await provider.interactionDetails(req, res).catch(() => undefined);
  if (interaction?.uid !== uid) {
    send(
      res,
      400,
      "text/html",
      messagePage("We are sorry...", "Your login attempt timed out. Login will start from the beginning."),
    );
    return;
  }

  if (req.method === "GET") {
    send(res, 200, "text/html", loginPage({ action }));
    return;
  }
  if (req.method !== "POST") {
    send(res, 405, "text/plain", "Method Not Allowed");
    return;
  }

  const { username = "", password = "" } = await readForm(req);
  const name = username.trim().toLowerCase();
  const user = users.find(
    (u) => (u.username.toLowerCase() === name || u.email.toLowerCase() === name) && u.password === password,
  );
  if (!user) {
    send(res, 200, "text/html", loginPage({ action, username, error: "Invalid username or password." }));
    return;
  }
  // Consent is granted automatically (see loadExistingGrant), so login is all it takes.
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}
