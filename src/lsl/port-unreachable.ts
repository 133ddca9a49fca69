/**
 * @module Recognises the UDP error that is normal in LSL: a datagram sent to a port nobody listens on
 * any more (an inlet closes its reply socket once it has resolved) comes back as ICMP "port
 * unreachable", which Linux reports on the sender's next receive or send as ECONNREFUSED.
 */

/** True when `e` only says an earlier datagram found no listener: count it, never log it. */
export function isPortUnreachable(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "ECONNREFUSED";
}
