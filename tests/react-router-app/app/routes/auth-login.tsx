import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { auth } from "../auth.server";

export const loader = ({ request, params }: LoaderFunctionArgs) => auth.startLogin(request, params.realm ?? "");

export default function LoginFailed() {
  return <h1>{useLoaderData<typeof loader>().error.title}</h1>;
}
