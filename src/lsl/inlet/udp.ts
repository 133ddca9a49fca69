/** @module UDP helpers of the inlet: bind in LSL's port range like liblsl does, and close as a Promise. */
import dgram from "node:dgram";
import { BASE_PORT, PORT_RANGE } from "../wire/constants.ts";

/** Binds a udp4 socket to 0.0.0.0:`port` (0 = any); rejects on failure, with the socket closed. */
function bindAt(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: "udp4" });
    const fail = (e: Error) => {
      socket.removeAllListeners("listening");
      try {
        socket.close();
      } catch { /* never bound: nothing to close */ }
      reject(e);
    };
    socket.once("error", fail);
    socket.bind(port, "0.0.0.0", () => {
      socket.removeListener("error", fail);
      resolve(socket);
    });
  });
}

/** A udp4 socket on the first free port of 16572…16603 when `inRange`, else (or if all are taken) any port. */
export async function bindUdp(inRange: boolean): Promise<dgram.Socket> {
  if (inRange) {
    for (let port = BASE_PORT; port < BASE_PORT + PORT_RANGE; port++) {
      try {
        return await bindAt(port);
      } catch { /* taken: liblsl tries the next one too */ }
    }
  }
  return await bindAt(0);
}

/** Closes `socket`; resolves once it is closed (at once if it already was). */
export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/** Remembers which problems were logged, so a flood of the same one logs a single line. */
export class OnceSet {
  readonly #seen = new Set<string>();
  constructor(readonly limit = 64) {}
  /** True the first time `key` is seen (and while fewer than `limit` keys are kept). */
  first(key: string): boolean {
    if (this.#seen.has(key) || this.#seen.size >= this.limit) return false;
    this.#seen.add(key);
    return true;
  }
  clear(): void {
    this.#seen.clear();
  }
}
