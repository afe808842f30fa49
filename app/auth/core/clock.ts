let last = 0;

/**
 * Seconds since the epoch, with sub-millisecond steps, strictly increasing in
 * this process. Sessions are created and revoked at these times, so that a
 * back-channel logout ends the logins made before it and none made after,
 * even within the same second or millisecond.
 */
export function orderedNow(): number {
  last = Math.max(Date.now(), last + 0.001);
  return last / 1000;
}
