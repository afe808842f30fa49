import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { commitAppSession, getAppSession } from "~/app-session.server";
import { auth } from "~/auth.server";
import { describeAuthError, getIdTokenClaims } from "~/auth/index.server";

export const meta: MetaFunction = () => [{ title: "Your account" }];

const TIME_CLAIMS = new Set(["exp", "iat", "auth_time", "nbf"]);

const utcDateTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

/** Formatted here, on the server, so the browser hydrates the same text whatever its time zone. */
function displayTime(seconds: unknown) {
  if (typeof seconds !== "number") return null;
  const date = new Date(seconds * 1000);
  return { iso: date.toISOString().replace(".000Z", "Z"), text: `${utcDateTime.format(date)} UTC` };
}

function claimText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Items shown before the rest of a list folds away (a Keycloak user can have hundreds of groups). */
const LIST_SHOWN = 5;

const USERINFO_SHOWN = [
  { claim: "preferred_username", label: "Username" },
  { claim: "name", label: "Name" },
  { claim: "email", label: "Email" },
] as const;

/**
 * The roles and what the userinfo API answered, called with the user's access token; or why they could not be
 * read. The API goes first: it renews the access token when due, and a provider that cannot be reached then is
 * said here, in the page, rather than as a 503 instead of it. A redirect to login is thrown on.
 */
async function apiSections(request: Request, provider: string) {
  // `headers` carry the renewed session cookie, whatever became of the call: it must reach the browser.
  const { userinfo, error, headers } = await auth.fetchUserinfo(request);
  const unreachable = error?.code === "idp_unreachable";
  const roles = unreachable ? null : (await auth.getRoles(request)).roles;
  const rolesError = unreachable ? describeAuthError(error.code, provider).message : null;
  if (error) {
    const api = { facts: [], tokenExpiresAt: null, error: describeAuthError(error.code, provider).message };
    return { roles, rolesError, api, headers };
  }
  const { expiresAt } = await auth.getAccessToken(request);
  const facts = USERINFO_SHOWN.filter(({ claim }) => typeof userinfo[claim] === "string").map(({ claim, label }) => ({
    label,
    value: String(userinfo[claim]),
  }));
  return { roles, rolesError, api: { facts, tokenExpiresAt: displayTime(expiresAt), error: null }, headers };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await auth.requireAuthSession(request);
  const provider = auth.getProvider(session.user.realm);
  const label = provider?.label ?? session.user.realm;
  // Without tokens in the session (too large for the cookie, no Redis) the page shows what it can.
  const {
    roles,
    rolesError,
    api,
    headers: renewed,
  } = session.tokens !== null
    ? await apiSections(request, label)
    : {
        roles: null,
        rolesError: null,
        api: { facts: [], tokenExpiresAt: null, error: describeAuthError("tokens_unavailable").message },
        headers: undefined,
      };
  // The renewed session cookie, when the calls renewed the access token.
  const headers = new Headers(renewed);
  const appSession = await getAppSession(request);
  const notice = appSession.get("notice") ?? null;
  // "Change password" just came back: its outcome in fixed words, shown once.
  const { outcome, headers: outcomeHeaders } = auth.accountActionOutcome(request);
  for (const cookie of outcomeHeaders.getSetCookie()) headers.append("Set-Cookie", cookie);
  const hideClaims = appSession.get("hideClaims") === true;
  const idTokenClaims = getIdTokenClaims(session);
  const claims = Object.entries(idTokenClaims).map(([name, value]) => {
    // Lists (a user's groups, several audiences) read better as lists than as JSON.
    const items = Array.isArray(value) ? value.map(claimText) : null;
    return {
      name,
      value: items ? null : claimText(value),
      items,
      time: TIME_CLAIMS.has(name) ? displayTime(value) : null,
    };
  });
  // Reading the flash removed it: saved, it is not shown again.
  if (notice) headers.append("Set-Cookie", await commitAppSession(appSession));
  const rolesFrom = auth.roleNaming(session.user.realm);
  return data(
    {
      user: session.user,
      signedInWith: {
        term: provider?.kind === "oidc" ? "Provider" : "Realm",
        name: label === session.user.realm ? label : `${label} (${session.user.realm})`,
        provider: label,
      },
      sessionStartedAt: displayTime(idTokenClaims.auth_time),
      roles,
      rolesError,
      rolesFrom,
      api,
      claims: hideClaims ? [] : claims,
      hideClaims,
      notice,
      accountAction: outcome && { status: outcome.status, message: outcome.message },
      canChangePassword: provider?.kind === "keycloak",
    },
    { headers },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  await auth.requireAuthSession(request);
  const hideClaims = (await request.formData()).get("claims") === "hide";
  const appSession = await getAppSession(request);
  appSession.set("hideClaims", hideClaims);
  appSession.flash("notice", hideClaims ? "The claims table is hidden." : "The claims table is shown again.");
  return redirect("/account", { headers: { "Set-Cookie": await commitAppSession(appSession) } });
}

export default function Account() {
  const {
    user,
    signedInWith,
    sessionStartedAt,
    roles,
    rolesError,
    rolesFrom,
    api,
    claims,
    hideClaims,
    notice,
    accountAction,
    canChangePassword,
  } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Your account</h1>
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {accountAction ? (
        <p
          className={accountAction.status === "error" ? "notice notice-warning" : "notice"}
          role="status"
          data-testid="account-action-outcome"
        >
          {accountAction.message}
        </p>
      ) : null}
      <section className="card" aria-labelledby="profile">
        <h2 id="profile">Profile</h2>
        <dl className="facts">
          {user.name ? (
            <>
              <dt>Name</dt>
              <dd>{user.name}</dd>
            </>
          ) : null}
          <dt>Username</dt>
          <dd data-testid="account-username">{user.username}</dd>
          {user.email ? (
            <>
              <dt>Email</dt>
              <dd>{user.email}</dd>
            </>
          ) : null}
          <dt>{signedInWith.term}</dt>
          <dd>{signedInWith.name}</dd>
          {sessionStartedAt ? (
            <>
              <dt>Session started</dt>
              <dd>
                <time dateTime={sessionStartedAt.iso}>{sessionStartedAt.text}</time>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      {roles ? (
        <section className="card" aria-labelledby="roles">
          <h2 id="roles">Roles</h2>
          <RolesFrom source={rolesFrom} />
          {roles.length > 0 ? (
            <ul className="roles" data-testid="roles">
              {roles.map((role) => (
                <li key={role}>
                  <code>{role}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p data-testid="roles">You have no roles in this app.</p>
          )}
          <p>
            <a href="/admin">Administration</a>{" "}
            <span className="muted">(needs the role admin of the app's default realm)</span>
          </p>
        </section>
      ) : rolesError ? (
        <section className="card" aria-labelledby="roles">
          <h2 id="roles">Roles</h2>
          <p data-testid="roles-error">Your roles could not be read just now. {rolesError}</p>
        </section>
      ) : null}
      <section className="card" aria-labelledby="api">
        <h2 id="api">From the identity provider's API</h2>
        <p className="muted">
          Fetched just now from the userinfo endpoint with your access token, which the app renews by itself when it
          expires.
        </p>
        {api.error ? (
          <p data-testid="api-error">{api.error}</p>
        ) : (
          <dl className="facts" data-testid="api-facts">
            {api.facts.map(({ label, value }) => (
              <div key={label} className="fact">
                <dt>{label}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        )}
        {api.tokenExpiresAt ? (
          <p className="muted">
            Your access token is valid until{" "}
            <time dateTime={api.tokenExpiresAt.iso} data-testid="access-token-expiry">
              {api.tokenExpiresAt.text}
            </time>
            .
          </p>
        ) : null}
      </section>
      {canChangePassword ? (
        <section className="card" aria-labelledby="password">
          <h2 id="password">Password</h2>
          <p>Change it at {signedInWith.provider}: you come back here, still signed in.</p>
          {/* A plain POST to a resource route: the answer is a redirect to Keycloak, with or without JavaScript. */}
          <form method="post" action="/account/password">
            <button type="submit" className="button button-secondary">
              Change password
            </button>
          </form>
        </section>
      ) : null}
      <section className="card" aria-labelledby="everywhere">
        <h2 id="everywhere">Your other devices</h2>
        <p>
          Signed in on another computer, or in a browser you cannot reach? This ends every session of yours in this app
          {signedInWith.term === "Realm" ? ` and at ${signedInWith.provider}` : ""}, this one included.
        </p>
        {/* A plain POST like Log out: the answer is a full page, and it works without JavaScript. */}
        <form method="post" action="/logout-everywhere">
          <button type="submit" className="button button-secondary">
            Sign out of all devices
          </button>
        </form>
      </section>
      <section aria-labelledby="claims">
        <h2 id="claims">ID token claims</h2>
        <p className="muted">What your identity provider said about you when you signed in. Times are in UTC.</p>
        <Form method="post" className="claims-toggle">
          <button className="button button-secondary" name="claims" value={hideClaims ? "show" : "hide"}>
            {hideClaims ? "Show the claims" : "Hide the claims"}
          </button>
        </Form>
        {hideClaims ? null : (
          <table className="claims">
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {claims.map((claim) => (
                <tr key={claim.name}>
                  <td>
                    <code>{claim.name}</code>
                  </td>
                  <td>
                    {claim.items ? (
                      <ClaimList items={claim.items} />
                    ) : claim.time ? (
                      <>
                        <time dateTime={claim.time.iso}>{claim.time.text}</time>
                        <code className="raw">{claim.value}</code>
                      </>
                    ) : (
                      claim.value
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** How the roles listed are named: only the default realm's keep their bare names. */
function RolesFrom({ source }: { source: { kind: "default-realm" | "realm" | "provider"; name: string } }) {
  if (source.kind === "provider")
    return (
      <p className="muted">
        The app reads roles only from Keycloak realms' access tokens, and {source.name} is another identity provider.
      </p>
    );
  if (source.kind === "realm")
    return (
      <p className="muted">
        From your access token, named after your realm {source.name}, which is not the app's default realm: realm roles
        as <code>{source.name}/</code>role, this app's client roles as <code>{source.name}/app:</code>role. A page that
        asks for a role by name alone asks for the default realm's.
      </p>
    );
  return (
    <p className="muted">
      From your access token, issued by the app's default realm {source.name}: realm roles by name, this app's client
      roles as <code>app:</code>role.
    </p>
  );
}

/** The count, the first few items, and the rest folded in a `<details>` (no JavaScript needed). */
function ClaimList({ items }: { items: string[] }) {
  // Folding away a single item would save nothing.
  const shown = items.length > LIST_SHOWN + 1 ? items.slice(0, LIST_SHOWN) : items;
  const rest = items.slice(shown.length);
  return (
    <>
      <span className="claim-count">
        {items.length} {items.length === 1 ? "value" : "values"}
      </span>
      {shown.length > 0 ? <ItemList items={shown} /> : null}
      {rest.length > 0 ? (
        <details className="claim-more">
          <summary>{rest.length} more</summary>
          <ItemList items={rest} />
        </details>
      ) : null}
    </>
  );
}

function ItemList({ items }: { items: string[] }) {
  return (
    <ul className="claim-list">
      {items.map((item, index) => (
        <li key={index}>{item}</li>
      ))}
    </ul>
  );
}
