/**
 * @module How a device's service ends: when its last client leaves (docs/protocol/mw75.md §3.7: the session is
 * torn down, after a running recording has finished its last data record) and at shutdown (every
 * socket closed as going away).
 */
import type { Clock } from "../core/clock.ts";
import type { DeviceSession } from "../core/session.ts";
import type { Logger } from "../ports/logger.ts";
import { STATUS_TEXT } from "../protocol/status-text.ts";
import { broadcastStatus } from "./status-broadcast.ts";
import type { ClientRegistry } from "./client-registry.ts";
import type { Recordings } from "../recording/recordings.ts";

/** The last client left and nothing keeps the device connected: its session ends. */
export function endUnattended(
  session: DeviceSession,
  recordings: Recordings | null,
  clients: ClientRegistry,
): void {
  // a recording ends with the session it records (finishing its last data record first)
  if (!recordings?.active) {
    void session.shutdown();
    return;
  }
  // …unless a new client came meanwhile and uses the device
  void recordings.close().catch(() => {}).then(async () => {
    if (clients.size === 0) await session.shutdown();
  });
}

/**
 * Shutdown of the device itself (Ctrl-C): torn down (announced), its recording finalised, every
 * client told and its queue flushed; the caller then stops the streams and closes the sockets.
 */
export async function shutDown(
  session: DeviceSession,
  recordings: Recordings | null,
  clients: ClientRegistry,
  clock: Clock,
  log: Logger,
): Promise<void> {
  if (session.busy) await session.disconnect();
  await recordings?.close().catch((e: unknown) =>
    log.log("ERROR", `Closing the recording: ${String(e)}`)
  );
  await session.shutdown();
  broadcastStatus(clients, () => session.state, STATUS_TEXT.shutdown, null, clock.now());
  for (const client of clients.clients) client.outbox.drain();
}

/** Shutdown's last step: every socket forgotten and closed (1001, going away). */
export function closeSockets(clients: ClientRegistry): void {
  for (const client of clients.clients.slice()) {
    clients.remove(client);
    try {
      client.socket.close(1001, "server shutting down");
    } catch {
      /* already closed */
    }
  }
  clients.stop();
}
