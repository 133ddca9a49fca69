/** @module Starts `serve --source mw75` under Bun, Deno or Node with a given system-bus address, and a small WebSocket client for it. */
import { type Runtime, startServer } from "./server-process.ts";

export type { Runtime } from "./server-process.ts";
export { connectWs as connectClient, type Msg, type WsClient as Client } from "./ws-client.ts";

/** A running server child. */
export interface Mw75Server {
  readonly ws: string;
  output(): string;
  /** SIGKILL by PID if still running; idempotent. */
  kill(): void;
  /** Sends `sig` (e.g. SIGTERM for a clean shutdown) by PID if still running. */
  signal(sig: NodeJS.Signals): void;
  /** Resolves with the exit code (-1 when killed by a signal). */
  readonly exited: Promise<number>;
}

/** Starts the server verbosely with the emulated system bus's address and waits for its banner. */
export async function startMw75Server(
  runtime: Runtime,
  args: string[],
  busAddress: string,
  timeoutMs = 30_000,
): Promise<Mw75Server> {
  const server = await startServer(runtime, ["-v", ...args], timeoutMs, {
    DBUS_SYSTEM_BUS_ADDRESS: busAddress,
  });
  const signal = (sig: NodeJS.Signals) => {
    const { child } = server;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, sig);
    }
  };
  return {
    ws: `${server.ws}/`,
    output: () => server.stdout() + server.stderr(),
    kill: server.kill,
    signal,
    exited: server.exited,
  };
}
