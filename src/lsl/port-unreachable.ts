/** @module Recognises ECONNREFUSED on UDP: an earlier datagram met ICMP "port unreachable" (an inlet left); normal in LSL. */

/** True when `e` only says an earlier datagram found no listener: count it, never log it. */
export function isPortUnreachable(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === "ECONNREFUSED";
}
