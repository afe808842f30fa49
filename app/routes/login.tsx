import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { auth } from "~/auth.server";
import { AuthErrorPage, authErrorMeta, type AuthErrorView } from "~/components/auth-error-page";

type LoginOption = Awaited<ReturnType<typeof auth.loginOptions>>[number];
/** The picker, or why the one provider's login could not start (the loader's data is untyped with a Response in it). */
type LoginData = { options: LoginOption[] } | { error: AuthErrorView };

export const meta: MetaFunction = ({ data }) =>
  data && "error" in (data as LoginData)
    ? authErrorMeta({ data: data as { error: AuthErrorView } })
    : [{ title: "Log in" }];

/**
 * Straight to the provider when there is one and nothing else to offer (its login starts here, not one redirect
 * later at `/auth/<realm>/login`: issue #26); a picker otherwise.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const options = await auth.loginOptions(request);
  if (options.length === 1 && !options[0]!.createAccountHref) return auth.startLogin(request, options[0]!.name);
  return { options };
}

export default function Login() {
  const data: LoginData = useLoaderData<typeof loader>();
  if ("error" in data) return <AuthErrorPage error={data.error} />;
  const { options } = data;
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
