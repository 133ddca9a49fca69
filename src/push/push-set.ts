/**
 * @module Every `--ws-push` target of the bridge: one Pusher each, fed by a shed `eeg_data`
 * subscription of its device's hub (the same encoded strings a `/` client gets). Pushing keeps its
 * device streaming, as `--autoconnect` does, so a headless push bridge streams from the start.
 * A device removed at run time takes its targets with it (closed, gone from `/health`).
 * src/push knows the devices only through the port below (app/push-wiring.ts implements it).
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { OpenPushSocket } from "../ports/push-socket.ts";
import type { WsPushHealth } from "../protocol/health.ts";
import { Pusher } from "./pusher.ts";
import type { PusherOptions } from "./pusher.ts";
import type { PushTarget } from "./target.ts";

/** A device as push mode needs it. */
export interface PushDevice {
  /** Subscribes to the device's `eeg_data` messages (each block's, in order); never holds the source. */
  eegData(name: string, onMessages: (messages: readonly string[]) => void): { close(): void };
  /** Connects the device now and keeps it connected, auto-reconnecting (as `--autoconnect`). */
  keepStreaming(): void;
}

/** What starting push mode needs. */
export interface PushStart {
  targets: readonly PushTarget[];
  /** The device of an id (the options checked every id at start-up). */
  device(id: string): PushDevice | undefined;
  open: OpenPushSocket;
  clock: Clock;
  log: Logger;
  /**
   * Calls `listener` with the id of every device removed at run time (`remove_device`): its
   * targets then close for good instead of reconnecting to push a device that no longer exists.
   */
  onRemoved(listener: (id: string) => void): void;
  /** Test hooks: shorter delays, smaller queues. */
  tuning?: Omit<PusherOptions, "open" | "clock" | "log">;
}

/** Push mode running: `/health` figures and the shutdown. */
export interface RunningPush {
  health(): WsPushHealth[];
  /** Closes every push socket and stops every timer and subscription. */
  close(): void;
}

/** Starts every target: subscribes, opens, and keeps each pushed device streaming. */
export function startPushing(s: PushStart): RunningPush {
  let running: { pusher: Pusher; subscription: { close(): void } }[] = [];
  for (const target of s.targets) {
    const device = s.device(target.deviceId);
    if (device === undefined) throw new Error(`--ws-push: no device ${target.deviceId}`);
    const pusher = new Pusher(target, { ...s.tuning, open: s.open, clock: s.clock, log: s.log });
    const subscription = device.eegData(
      `push ${target.shownUrl}`,
      (messages) => pusher.push(messages),
    );
    running.push({ pusher, subscription });
    pusher.start();
  }
  for (const target of s.targets) s.device(target.deviceId)?.keepStreaming();
  s.onRemoved((id) => {
    const gone = running.filter((r) => r.pusher.target.deviceId === id);
    running = running.filter((r) => r.pusher.target.deviceId !== id);
    for (const r of gone) {
      r.subscription.close();
      r.pusher.close();
      s.log.log("INFO", `Push to ${r.pusher.target.shownUrl}: stopped (device ${id} removed)`);
    }
  });
  return {
    health: () => running.map((r) => r.pusher.health()),
    close() {
      for (const r of running) {
        r.subscription.close();
        r.pusher.close();
      }
    },
  };
}
