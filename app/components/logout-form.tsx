import { Form } from "@remix-run/react";

/**
 * A plain POST form: logging out is a state change, never a link, and it works
 * without JavaScript. A full-page submission, as the answer may be the page
 * that posts the logout on to the identity provider.
 */
export function LogoutForm() {
  return (
    <Form method="post" action="/logout" className="inline" reloadDocument>
      <button type="submit" className="button">
        Log out
      </button>
    </Form>
  );
}
