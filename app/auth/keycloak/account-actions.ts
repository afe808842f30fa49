// Keycloak's Application Initiated Actions (kc_action), and how their outcome reaches the page that asked.
import { parseCookieHeader, serializeCookie, stateCookie } from "../http/cookies.server";

/** The account actions the app can start, by the name its routes use, with Keycloak's `kc_action` for each. */
export const ACCOUNT_ACTIONS = { "update-password": "UPDATE_PASSWORD" } as const;
export type AccountAction = keyof typeof ACCOUNT_ACTIONS;

/** A login that runs `action`, as the callback's entry keeps it: `<action> <returnTo>` (return paths start with /). */
export const pendingAction = (action: AccountAction, returnTo: string) => `${action} ${returnTo}`;

/** The action and the return path (unsanitized) of an entry; a plain login's entry is its return path. */
export function readPendingAction(value: string | null | undefined) {
  const space = value?.indexOf(" ") ?? -1;
  const action = value?.slice(0, space);
  return isAccountAction(action) ? { action, returnTo: value!.slice(space + 1) } : { action: null, returnTo: value };
}

/** `kc_action_status` as Keycloak sends it back; `unknown` when it sends none (another provider, an old Keycloak). */
export type AccountActionStatus = "success" | "cancelled" | "error" | "unknown";
const STATUSES: readonly string[] = ["success", "cancelled", "error"];

export function isAccountAction(value: unknown): value is AccountAction {
  return typeof value === "string" && Object.hasOwn(ACCOUNT_ACTIONS, value);
}

/** The callback's `kc_action_status`, read only when `kc_action` is the action the app asked for. */
export function accountActionStatus(url: URL, action: AccountAction): AccountActionStatus {
  const status = url.searchParams.get("kc_action_status");
  if (url.searchParams.get("kc_action") !== ACCOUNT_ACTIONS[action] || status === null) return "unknown";
  return STATUSES.includes(status) ? (status as AccountActionStatus) : "error";
}

/** Fixed words for each outcome: nothing from the URL or the provider ever reaches the page. */
const MESSAGES: Record<AccountAction, Record<AccountActionStatus, string>> = {
  "update-password": {
    success: "Your password has been changed.",
    cancelled: "You cancelled: your password has not been changed.",
    error: "Your password could not be changed. Please try again.",
    unknown: "The identity provider did not say whether your password was changed.",
  },
};

export interface AccountActionOutcome {
  action: AccountAction;
  status: AccountActionStatus;
  message: string;
}

/**
 * The cookie that carries an outcome from the callback to the next page, for a minute. Set by the app only
 * (httpOnly; `__Host-` over https), and read against the fixed lists above: a forged value shows nothing.
 */
function outcomeCookie(secure: boolean) {
  return stateCookie("oidc-account-action", { path: "/", secure, maxAge: 60 });
}

export function outcomeSetCookie(secure: boolean, action: AccountAction, status: AccountActionStatus): string {
  const { name, attributes } = outcomeCookie(secure);
  return serializeCookie(name, `${action}.${status}`, attributes);
}

/** The outcome the request carries, if any, and the `Set-Cookie` that forgets it once shown. */
export function readAccountActionOutcome(
  request: Request,
  secure: boolean,
): { outcome: AccountActionOutcome | null; headers: Headers } {
  const { name, attributes } = outcomeCookie(secure);
  const value = parseCookieHeader(request.headers.get("Cookie"))[name];
  const headers = new Headers();
  if (value === undefined) return { outcome: null, headers };
  headers.append("Set-Cookie", serializeCookie(name, "", { ...attributes, maxAge: 0 }));
  const [action, status] = value.split(".");
  if (!isAccountAction(action) || !Object.hasOwn(MESSAGES[action], status ?? "")) return { outcome: null, headers };
  const known = status as AccountActionStatus;
  return { outcome: { action, status: known, message: MESSAGES[action][known] }, headers };
}

/** Registration by `prompt=create` (Keycloak 26.1+ with "User registration" on lists it in discovery). */
export const offersRegistration = (metadata: Record<string, unknown>) =>
  Array.isArray(metadata.prompt_values_supported) && metadata.prompt_values_supported.includes("create");
