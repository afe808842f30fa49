import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { completeLogout } from "~/auth/logout.server";

export const meta: MetaFunction = () => [{ title: "You are logged out" }];

/** Where the identity provider sends the browser back after ending its session. */
export const loader = ({ request }: LoaderFunctionArgs) => completeLogout(request);

/** Clear-Site-Data from the loader reaches the page. */
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export default function LoggedOut() {
  return (
    <>
      <h1>You are logged out</h1>
      <p>Your session in this app and at your identity provider has ended.</p>
      <p>
        <a className="button" href="/login">
          Log in again
        </a>{" "}
        <a href="/">Back to home</a>
      </p>
    </>
  );
}
