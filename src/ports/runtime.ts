/** @module What each JS runtime (Bun, Deno, Node) provides to the runtime-neutral server and main. */
import type { Context, Hono } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { ClientSocket } from "./client-socket.ts";

/** A running HTTP server. */
export interface RunningServer {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** Stops accepting and closes the listener. */
  close(): Promise<void>;
}

/** Limits the runtime's HTTP/WebSocket layer enforces itself, before our code sees anything. */
export interface ServeLimits {
  /** A larger inbound WebSocket message closes the socket with 1009 (message too big). */
  maxMessageBytes: number;
  /** A connection that has not sent a complete request (an upgrade is one) within this is dropped. */
  requestTimeoutMs: number;
}

/** The runtime adapter (src/adapters/runtime/<name>.ts implements it). */
export interface RuntimeAdapter {
  readonly name: "bun" | "deno" | "node";
  /** Command-line arguments after the script name. */
  readonly args: readonly string[];
  /** The process environment (MW75_TOKEN, …). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Serves the app built by `createApp` with the runtime's WebSocket upgrade helper. */
  serve(options: {
    hostname: string;
    port: number;
    limits: ServeLimits;
    /** PEM text: serve https/wss instead of http/ws. */
    tls?: { cert: string; key: string };
    createApp(upgrade: UpgradeWebSocket): Hono;
  }): Promise<RunningServer>;
  /** Wraps hono's WSContext so sends report drops and the buffered amount is visible (via `ws.raw`). */
  socketOf(ws: WSContext): ClientSocket;
  /** `ip:port` of the peer of a request. */
  remoteOf(c: Context): string;
  /** Calls `handler` once on SIGINT or SIGTERM. */
  onShutdownSignal(handler: (signal: string) => void): void;
  /**
   * CLOCK_MONOTONIC in seconds: LSL time, liblsl's `local_clock()` on Linux (docs/protocol/lsl-wire.md
   * §7). Not `process.hrtime`, which counts from process start on Bun and Deno.
   */
  monotonicSeconds(): number;
  stdout(text: string): void;
  stderr(text: string): void;
  exit(code: number): never;
}
