/** @module The start-up banner of `serve`: version, runtime, devices, who may connect and where. */
import type { AccessGate } from "../server/access/gate.ts";
import type { Bridge } from "../server/bridge.ts";
import { VERSION } from "../protocol/version.ts";
import { isLoopbackHost } from "./config.ts";
import type { ServeConfig } from "./config.ts";

/** One line on who may connect, so a user sees at start-up what is exposed. */
function accessLine(config: ServeConfig, gate: AccessGate): string {
  const reach = isLoopbackHost(config.host) ? "loopback only" : `reachable on ${config.host}`;
  const auth = gate.authEnabled
    ? `tokens required to control (anonymous clients are read-only)${
      gate.passwordLogin ? "; users log in with POST /login" : ""
    }`
    : "no tokens (every client may control)";
  const origins = config.access.allowOrigins.includes("*")
    ? "any origin"
    : "browser origins checked";
  return `access: ${reach}, ${origins}, ${auth}`;
}

/** The lines printed once the server listens on `port`. */
export function banner(
  config: ServeConfig,
  runtimeName: string,
  bridge: Bridge,
  port: number,
): string {
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const source = bridge.default.source;
  const gate = bridge.default.gate;
  const [web, ws] = config.access.tlsCert !== null ? ["https", "wss"] : ["http", "ws"];
  const lines = [
    `MW75 bridge ${VERSION} on ${runtimeName}`,
    `source: ${source.description}`,
    source.synthetic
      ? "data: SYNTHETIC (simulator) - not from a headset"
      : `data: ${source.kind === "replay" ? "recorded capture (replay)" : "real MW75 headset"}`,
    `clients: ${
      config.maxClients === 1
        ? "single-client policy"
        : `up to ${config.maxClients} (controller + observers)`
    }`,
    accessLine(config, gate),
    `listening on ${web}://${host}:${port}`,
    `WebSocket: ${ws}://${host}:${port}/ (also /ws)   health: ${web}://${host}:${port}/health`,
  ];
  if (bridge.list().length > 1 || config.autoconnect) {
    // one line per device: its id, what it reads and its socket
    const devices = bridge.list().map((b) =>
      `  ${b.identity.id}: ${b.source.description}  ${ws}://${host}:${port}/devices/${b.identity.id}/ws`
    );
    lines.splice(
      3,
      0,
      `devices: ${bridge.list().length} (the first is the default on / and /ws)${
        config.autoconnect ? ", connected at start-up (--autoconnect)" : ""
      }`,
      ...devices,
    );
  }
  return `${lines.join("\n")}\n`;
}
