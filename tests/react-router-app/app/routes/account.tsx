import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const loader = async ({ request }: LoaderFunctionArgs) => (await auth.requireAuthSession(request)).user;

export default function Account() {
  const user = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Your account</h1>
      <p data-testid="account-username">{user.username}</p>
    </>
  );
}
