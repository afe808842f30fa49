import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getIdTokenClaims, requireSession } from "~/auth/session.server";

export const meta: MetaFunction = () => [{ title: "Your account" }];

const TIME_CLAIMS = new Set(["exp", "iat", "auth_time", "nbf"]);

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireSession(request);
  const claims = Object.entries(getIdTokenClaims(session)).map(([name, value]) => ({
    name,
    value:
      TIME_CLAIMS.has(name) && typeof value === "number"
        ? new Date(value * 1000).toISOString().replace(".000Z", "Z")
        : typeof value === "string"
          ? value
          : JSON.stringify(value),
  }));
  return { user: session.user, claims };
}

export default function Account() {
  const { user, claims } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Your account</h1>
      <dl>
        <dt>Username</dt>
        <dd data-testid="account-username">{user.username}</dd>
        {user.name ? (
          <>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </>
        ) : null}
        {user.email ? (
          <>
            <dt>Email</dt>
            <dd>{user.email}</dd>
          </>
        ) : null}
        <dt>Realm</dt>
        <dd>{user.realm}</dd>
      </dl>
      <h2>ID token claims</h2>
      <table>
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
              <td>{claim.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
