import { useLoaderData, type HeadersFunction, type LoaderFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const loader = ({ request }: LoaderFunctionArgs) => auth.completeLogout(request);

/** The loader's cookie deletions reach the page. */
export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export default function LoggedOut() {
  const { outcome } = useLoaderData<typeof loader>();
  if (outcome !== "ended") return <h1>This logout link is not valid</h1>;
  return (
    <>
      <h1>You are logged out</h1>
      <p>Your session in this app and at your identity provider has ended.</p>
      <a href="/login">Log in again</a>
    </>
  );
}
