import { useEffect, useRef, useState } from "react";

/**
 * A plain POST form: logging out is a state change, never a link, and it works
 * without JavaScript. A plain full-page submission (not Remix's <Form>), as the
 * answer may be the page that posts the logout on to the identity provider.
 * With JavaScript the button says the click was taken while the provider is
 * slow to answer; it does nothing to the request itself.
 */
const STOPPED_AFTER_MS = 20_000;

export function LogoutForm() {
  const [pending, setPending] = useState(false);
  // Read by the click itself: the state below is shown a moment later, once the navigation has begun.
  const submitted = useRef(false);
  useEffect(() => {
    // A page restored from the back-forward cache shows the button as it was left: ready again.
    const ready = () => {
      submitted.current = false;
      setPending(false);
    };
    window.addEventListener("pageshow", ready);
    return () => window.removeEventListener("pageshow", ready);
  }, []);
  useEffect(() => {
    if (!pending) return;
    // The app answers a logout within its provider timeouts (seconds); still here long after, the user stopped
    // the page (Esc, Stop), and the button must work again.
    const stopped = setTimeout(() => {
      submitted.current = false;
      setPending(false);
    }, STOPPED_AFTER_MS);
    return () => clearTimeout(stopped);
  }, [pending]);
  return (
    <form
      method="post"
      action="/logout"
      className="inline"
      onSubmit={(event) => {
        // A second click would start a second navigation, which cancels the first one's way to the provider.
        if (submitted.current) return event.preventDefault();
        submitted.current = true;
        // Rendered after the browser has started the POST, not before it (issue 26: a few ms of every logout).
        setTimeout(() => setPending(true));
      }}
    >
      <button type="submit" className="button" aria-disabled={pending || undefined} data-pending={pending || undefined}>
        {pending ? "Logging out…" : "Log out"}
      </button>
    </form>
  );
}
