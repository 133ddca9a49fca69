/** @module The end of `serve`: on SIGINT/SIGTERM the devices, the session timer, the push sockets, the MQTT link, the LSL sockets, the capture and the server close in that order, bounded. */
import type { LogHub } from "../core/log-hub.ts";
import type { RunningMqtt } from "./mqtt-wiring.ts";
import type { RunningLsl } from "./lsl-wiring.ts";
import type { RunningPush } from "./push-wiring.ts";
import type { Bridge } from "../server/bridge.ts";
import type { RunningServer, RuntimeAdapter } from "../ports/runtime.ts";
import type { CapturingSource } from "../sources/capture.ts";

const SHUTDOWN_GRACE_MS = 1500;

/** Closes everything on the first shutdown signal, then exits 0 (also when something hangs). */
export function watchShutdown(
  runtime: RuntimeAdapter,
  logs: LogHub,
  bridge: Bridge,
  server: RunningServer,
  capture: CapturingSource | null,
  links: {
    mqtt: RunningMqtt | null;
    lsl: RunningLsl | null;
    push?: RunningPush | null;
    access?: { close(): void };
  },
): void {
  const log = logs.logger("mw75.server");
  runtime.onShutdownSignal((signal) => {
    runtime.stdout(`${signal}: shutting down server...\n`);
    // whatever hangs (a peer that never acknowledges the close), the process still exits
    const force = setTimeout(() => runtime.exit(0), SHUTDOWN_GRACE_MS * 2);
    void (async () => {
      try {
        await links.lsl?.stopInlet(); // no marker lands on a recording being finalised
        await bridge.shutdown();
        links.access?.close(); // no session expiry timer outlives the sockets it would close
        links.push?.close(); // after the devices' last samples; no retry timer is left
        await links.mqtt?.close(); // after the devices' last states, so the broker has them too
        await links.lsl?.close(); // sockets closed: a restarted bridge takes the same ports
        await capture?.close();
        await Promise.race([server.close(), new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS))]);
      } catch (e) {
        log.log("ERROR", `Shutdown: ${e instanceof Error ? e.message : String(e)}`);
      }
      clearTimeout(force);
      runtime.stdout("Server shutdown complete\n");
      runtime.exit(0);
    })();
  });
}
