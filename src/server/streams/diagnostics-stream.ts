/** @module The `diagnostics` stream: one timer per subscribed client, a message every `interval_ms`, also while the device is idle. */
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Device } from "../../core/device.ts";
import { diagnosticsMessage } from "../../protocol/encoders/diagnostics.ts";
import type { Client, Hub } from "../hub.ts";

/** Starts a client's diagnostics; returns the stop function. */
export function startDiagnostics(
  client: Client,
  intervalMs: number,
  device: Device,
  hub: Hub,
  clock: Clock,
): () => void {
  const timer: TimerHandle = clock.setInterval(() => {
    const now = clock.now();
    const message = diagnosticsMessage({
      nowMs: now,
      deviceState: device.session.reportedState,
      health: device.health.figures(now),
      live: device.session.liveStats(),
      queueAgeMs: client.outbox.queueAgeMs(),
      bufferedBytes: client.outbox.bufferedBytes(),
      shed: client.outbox.shed,
      batteryLevel: device.session.batteryLevel,
      clients: hub.size,
      ...(client.deviceId === null ? {} : { deviceId: client.deviceId }),
    });
    // a stream message like the others: a client too slow for it sheds it rather than queueing
    hub.sendDataTo([client], [message]);
  }, intervalMs);
  return () => clock.clearInterval(timer);
}
