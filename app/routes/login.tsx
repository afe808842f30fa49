import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";

export const meta: MetaFunction = () => [{ title: "Log in" }];

/** Straight to the provider when there is one; a picker when there are several. */
export function loader({ request }: LoaderFunctionArgs) {
  const options = auth.loginOptions(request);
  if (options.length === 1) throw redirect(options[0]!.href);
  return { options };
}

export default function Login() {
  const { options } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Log in</h1>
      <p>Choose where your account is:</p>
      <ul className="providers">
        {options.map((option) => (
          <li key={option.name}>
            <a className="button button-secondary" href={option.href}>
              {option.label}
            </a>
          </li>
        ))}
      </ul>
      <p>
        <a href="/">Back to home</a>
      </p>
    </>
  );
}
