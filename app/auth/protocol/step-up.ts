// Step-up (OpenID Connect Core 3.1.2.1 and 2): a login asked to prove a recent authentication (`max_age`)
// or a level (`acr_values`), and the check of the ID token that comes back. Pure.

/** What a page asks of the login behind the session. */
export interface StepUp {
  /** Seconds: the user authenticated at most this long ago. */
  maxAge?: number;
  /** Any one of these Authentication Context Class References (Keycloak: its Level-of-Authentication names). */
  acr?: readonly string[];
}

/** A shorter `max_age` could not be met: the user needs time to come back from the provider to the page. */
export const MIN_STEP_UP_MAX_AGE = 10;
/** The provider's clock against ours, when judging `auth_time` at the callback. */
const CLOCK_SKEW_SECONDS = 5;
/** An ACR value: printable ASCII without space, quote or backslash (NQCHAR), of a sane length. */
const ACR_VALUE = /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/;

/** `max_age` and `acr_values` of the app's own login URL; malformed values are ignored. `null`: a plain login. */
export function stepUpFrom(params: URLSearchParams): StepUp | null {
  const maxAgeText = params.get("max_age") ?? "";
  const maxAge = /^\d{1,7}$/.test(maxAgeText) ? Math.max(Number(maxAgeText), MIN_STEP_UP_MAX_AGE) : undefined;
  const acr = (params.get("acr_values") ?? "").split(" ").filter((value) => ACR_VALUE.test(value));
  if (maxAge === undefined && acr.length === 0) return null;
  return { ...(maxAge !== undefined && { maxAge }), ...(acr.length > 0 && { acr: acr.slice(0, 5) }) };
}

/** The authorization request's parameters for `stepUp`, also those of the app's login URL. */
export function stepUpParams({ maxAge, acr }: StepUp): Record<string, string> {
  return { ...(maxAge !== undefined && { max_age: String(maxAge) }), ...(acr && { acr_values: acr.join(" ") }) };
}

/** An ID token's claims; `auth_time` and `acr` are read. */
type AuthClaims = Record<string, unknown>;

/** Whether a session's login meets `stepUp` at `now` (seconds). */
export function meetsStepUp(claims: AuthClaims, { maxAge, acr }: StepUp, now: number): boolean {
  if (maxAge !== undefined && !(typeof claims.auth_time === "number" && now - claims.auth_time <= maxAge)) return false;
  return !acr || acrMatches(claims, acr);
}

/**
 * Why the ID token of a login asked for `stepUp` at `startedAt` (seconds) does not show it, or `null`. A provider
 * that ignored `max_age` hands back the old `auth_time`; one that ignored `acr_values`, another `acr` or none.
 */
export function unmetStepUp(claims: AuthClaims, { maxAge, acr }: StepUp, startedAt: number): string | null {
  if (maxAge !== undefined) {
    if (typeof claims.auth_time !== "number") return "max_age was asked and the ID token has no auth_time";
    const age = startedAt - claims.auth_time;
    if (age > maxAge + CLOCK_SKEW_SECONDS)
      return `auth_time was ${age} s old when the login started, max_age ${maxAge}`;
  }
  if (acr && !acrMatches(claims, acr))
    return `acr ${JSON.stringify(claims.acr ?? null)} is not one of the asked ${acr.join(" ")}`;
  return null;
}

const acrMatches = (claims: AuthClaims, acr: readonly string[]) =>
  typeof claims.acr === "string" && acr.includes(claims.acr);

/** The step-up a login in progress was asked for, as its cookie entry keeps it (with when it started). */
export function encodeStepUp(stepUp: StepUp, startedAt: number): string {
  return JSON.stringify({ ...stepUp, startedAt });
}

export function decodeStepUp(value: string | null | undefined): (StepUp & { startedAt: number }) | null {
  if (!value) return null;
  try {
    const { maxAge, acr, startedAt } = JSON.parse(value) as Record<string, unknown>;
    if (typeof startedAt !== "number") return null;
    return {
      startedAt,
      ...(typeof maxAge === "number" && { maxAge }),
      ...(Array.isArray(acr) && { acr: acr.filter((value): value is string => typeof value === "string") }),
    };
  } catch {
    return null;
  }
}
