import { Form } from "@remix-run/react";

/** A plain POST form: logging out is a state change, never a link, and it works without JavaScript. */
export function LogoutForm() {
  return (
    <Form method="post" action="/logout" className="inline">
      <button type="submit">Log out</button>
    </Form>
  );
}
