import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";

export const meta: MetaFunction = () => [{ title: "Log in" }];

/** Straight to the provider when there is one and nothing else to offer; a picker otherwise. */
export async function loader({ request }: LoaderFunctionArgs) {
  const options = await auth.loginOptions(request);
  if (options.length === 1 && !options[0]!.createAccountHref) throw redirect(options[0]!.href);
  return { options };
}

export default function Login() {
  const { options } = useLoaderData<typeof loader>();
  const single = options.length === 1;
  return (
    <>
      <h1>Log in</h1>
      <p>{single ? "Log in, or create an account if you have none yet:" : "Choose where your account is:"}</p>
      <ul className="providers">
        {options.map((option) => (
          <li key={option.name}>
            <a className="button button-secondary" href={option.href}>
              {single ? `Log in with ${option.label}` : option.label}
            </a>
            {option.createAccountHref ? (
              <a className="create-account" href={option.createAccountHref}>
                Create an account{single ? "" : ` at ${option.label}`}
              </a>
            ) : null}
          </li>
        ))}
      </ul>
      <p>
        <a href="/">Back to home</a>
      </p>
    </>
  );
}
