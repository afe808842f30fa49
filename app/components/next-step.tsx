import type { ReactNode } from "react";

/** A page's next step as a button, and with `home` a "Back to home" link after it. */
export function NextStep({ href, children, home = false }: { href: string; children: ReactNode; home?: boolean }) {
  return (
    <p className="actions">
      <a className="button" href={href}>
        {children}
      </a>
      {home && <a href="/">Back to home</a>}
    </p>
  );
}
