/**
 * @module The glue between the bridge's devices and push mode (src/push): each served device as a
 * push device (its hub's shared `eeg_data` strings, `keepConnected`), and the runtime's socket.
 * Imported by app/serve.ts only when `--ws-push` is given (on Node it loads the `ws` package).
 */
import { pushSocketOpener } from "../adapters/push-socket.ts";
import type { Clock } from "../core/clock.ts";
import type { LogHub } from "../core/log-hub.ts";
import { startPushing } from "../push/push-set.ts";
import type { PushDevice, RunningPush } from "../push/push-set.ts";
import type { PushTarget } from "../push/target.ts";
import type { Bridge } from "../server/bridge.ts";
import type { ServedDevice } from "../server/served-device.ts";

export type { RunningPush } from "../push/push-set.ts";

/** What app/serve.ts hands over. */
export interface PushWiring {
  targets: readonly PushTarget[];
  bridge: Bridge;
  logs: LogHub;
  clock: Clock;
  runtime: "bun" | "deno" | "node";
}

/** Starts every push target; never waits for a remote. */
export async function startPush(w: PushWiring): Promise<RunningPush> {
  const open = await pushSocketOpener(w.runtime);
  return startPushing({
    targets: w.targets,
    device: (id) => {
      const device = w.bridge.get(id);
      return device === undefined ? undefined : pushDevice(device);
    },
    onRemoved: (listener) => w.bridge.onRemoved((removed) => listener(removed.identity.id)),
    open,
    clock: w.clock,
    log: w.logs.logger("mw75.push"),
  });
}

function pushDevice(device: ServedDevice): PushDevice {
  return {
    eegData: (name, onMessages) => device.taps.eegData(name, onMessages),
    keepStreaming: () => device.keepConnected(),
  };
}
