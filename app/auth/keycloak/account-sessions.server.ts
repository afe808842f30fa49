/** What Keycloak answered to ending all of a user's sessions. */
export type EndAllSessions = "ended" | "refused" | "unreachable";

/**
 * Ends every Keycloak session of the user the access token belongs to, this one included, through Keycloak's
 * Account REST API (`DELETE /realms/{realm}/account/sessions?current=true`); Keycloak then sends its
 * back-channel logouts to every client of those sessions. The token needs the `manage-account` role of the
 * `account` client (one of a realm's default roles): without it, or when the realm has no account API,
 * Keycloak refuses (401, 403, 404).
 */
export async function endAllKeycloakSessions(
  issuer: string,
  /** The headers presenting the user's access token (with a DPoP proof when it is bound). */
  authorization: (method: string, url: string) => Promise<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<EndAllSessions> {
  try {
    const url = `${issuer.replace(/\/$/, "")}/account/sessions?current=true`;
    const response = await fetch(url, {
      method: "DELETE",
      headers: { ...(await authorization("DELETE", url)), Accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return "ended";
    return response.status >= 500 ? "unreachable" : "refused";
  } catch {
    return "unreachable";
  }
}
