import { useEffect, useState } from "react";

/**
 * A plain POST form: logging out is a state change, never a link, and it works
 * without JavaScript. A plain full-page submission (not Remix's <Form>), as the
 * answer may be the page that posts the logout on to the identity provider.
 * With JavaScript the button says the click was taken while the provider is
 * slow to answer; it does nothing to the request itself.
 */
export function LogoutForm() {
  const [pending, setPending] = useState(false);
  useEffect(() => {
    // A page restored from the back-forward cache shows the button as it was left: ready again.
    const ready = () => setPending(false);
    window.addEventListener("pageshow", ready);
    return () => window.removeEventListener("pageshow", ready);
  }, []);
  return (
    <form
      method="post"
      action="/logout"
      className="inline"
      // A second click would start a second navigation, which cancels the first one's way to the provider.
      onSubmit={(event) => (pending ? event.preventDefault() : setPending(true))}
    >
      <button type="submit" className="button" aria-disabled={pending || undefined} data-pending={pending || undefined}>
        {pending ? "Logging out…" : "Log out"}
      </button>
    </form>
  );
}
