import { useEffect, useRef } from "react";

/**
 * The logout POST to the provider, when /logout was submitted by fetch rather
 * than as a page (a form without `reloadDocument`): submitted at once, with
 * a button as fallback. Full-page submissions get the server's tiny page instead.
 */
export function EndSessionForm({ form, provider }: { form: { action: string; fields: [string, string][] }; provider: string }) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => ref.current?.submit(), []);
  return (
    <form ref={ref} method="post" action={form.action}>
      {form.fields.map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <h1>Logging out</h1>
      <p>Ending your session at {provider}.</p>
      <button type="submit" className="button">
        Continue
      </button>
    </form>
  );
}
