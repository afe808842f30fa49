/**
 * A plain POST form: logging out is a state change, never a link, and it works
 * without JavaScript. A plain full-page submission (not Remix's <Form>), as the
 * answer may be the page that posts the logout on to the identity provider.
 */
export function LogoutForm() {
  return (
    <form method="post" action="/logout" className="inline">
      <button type="submit" className="button">
        Log out
      </button>
    </form>
  );
}
