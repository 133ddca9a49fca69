/**
 * @module How a device's service ends: when its last client leaves (docs/protocol/mw75.md §3.7: the session is
 * torn down, after a running recording has finished its last data record), at shutdown and when
 * `remove_device` removes it (docs/protocol/bridge-api.md §11; every socket closed as going away).
 */
import type { ClientSocket } from "../ports/client-socket.ts";
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

/** Why the device's service ends for good: what its clients are told, and the reason of their sockets' close (1001). */
export interface Ending {
  readonly status: string;
  readonly closeReason: string;
}
export const SERVER_SHUTDOWN: Ending = {
  status: STATUS_TEXT.shutdown,
  closeReason: "server shutting down",
};
export const DEVICE_REMOVED: Ending = {
  status: STATUS_TEXT.removed,
  closeReason: "device removed",
};

/**
 * The end of the device itself (Ctrl-C, `remove_device`): torn down (announced), its recording
 * finalised, every client told and its queue flushed; the caller then stops the streams and closes the sockets.
 */
export async function shutDown(
  session: DeviceSession,
  recordings: Recordings | null,
  clients: ClientRegistry,
  clock: Clock,
  log: Logger,
  ending: Ending = SERVER_SHUTDOWN,
): Promise<void> {
  if (session.busy) await session.disconnect();
  await recordings?.close().catch((e: unknown) =>
    log.log("ERROR", `Closing the recording: ${String(e)}`)
  );
  await session.shutdown();
  broadcastStatus(clients, () => session.state, ending.status, null, clock.now());
  for (const client of clients.clients) client.outbox.drain();
}

/** The last step of an end: every socket forgotten and closed (1001, going away). */
export function closeSockets(clients: ClientRegistry, ending: Ending = SERVER_SHUTDOWN): void {
  for (const client of clients.clients.slice()) {
    clients.remove(client);
    closeSocket(client.socket, ending);
  }
  clients.stop();
}

/** Closes one socket as going away (also one that opens after the end); null: no client is left of it. */
export function closeSocket(socket: ClientSocket, ending: Ending): null {
  try {
    socket.close(1001, ending.closeReason);
  } catch {
    /* already closed */
  }
  return null;
}
