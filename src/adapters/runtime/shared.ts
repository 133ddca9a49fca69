/** @module Small pieces every runtime adapter shares: the client address text and one-shot shutdown signals. */
import type { ConnInfo } from "hono/conninfo";

/** `ip:port` of a WebSocket client, as the `broadcast` command's `from` field shows it. */
export function formatRemote(info: ConnInfo): string {
  return `${info.remote.address ?? "unknown"}:${info.remote.port ?? 0}`;
}

/**
 * Calls `handler` once, for whichever of SIGINT/SIGTERM comes first; `listen` registers a
 * listener with the runtime's own signal API.
 */
export function onFirstShutdownSignal(
  handler: (signal: string) => void,
  listen: (signal: "SIGINT" | "SIGTERM", listener: () => void) => void,
): void {
  let fired = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    listen(signal, () => {
      if (fired) return;
      fired = true;
      handler(signal);
    });
  }
}
