/**
 * @module A minimal RFC 6455 client over node:net for the conformance suite. Unlike the built-in
 * WebSocket it can stop reading (`pause()`, so the server's buffer fills), send raw binary frames
 * and keeps every message it received, parsed, in order. `wss://` runs the same client over node:tls.
 * This file is the handshake; the open connection's framing is ws-connection.ts.
 */
import { randomBytes } from "node:crypto";
import { connect as tcpConnect, isIP } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { clientOverSocket } from "./ws-connection.ts";

/** A received server message (`raw` keeps the exact text). A binary frame has type `__binary__` and its `bytes`. */
export interface Msg {
  id: unknown;
  type: string;
  data: Record<string, unknown>;
  raw: string;
  bytes?: Uint8Array;
}

/** Extra request headers for the upgrade (same name replaces a default, e.g. Host) and subprotocols to offer. */
export interface UpgradeOptions {
  headers?: Record<string, string>;
  protocols?: string[]; // sent as one Sec-WebSocket-Protocol header, in this order
  /** wss:// only: the PEM certificate(s) to trust instead of the system's CAs. */
  ca?: string | string[];
}

/** The server's answer to the upgrade: `status` 101 for a client; header names in lower case. */
export interface UpgradeResponse {
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  body: string; // whatever followed the head in the same reads (part of a refusal's body)
}

/** Thrown by connectWs when the server answers anything but 101 (its message keeps the old text). */
export class UpgradeRefused extends Error {
  constructor(readonly response: UpgradeResponse) {
    super(`upgrade refused: ${response.statusLine}`);
  }
}

/** The client's API. */
export interface WsClient {
  /** The 101 response (status line and headers, e.g. the echoed `sec-websocket-protocol`). */
  readonly upgrade: UpgradeResponse;
  /** Everything received so far, oldest first. */
  readonly messages: Msg[];
  /** Resolves with the close code (1006 when the TCP connection simply ended). */
  readonly closed: Promise<number>;
  readonly isClosed: boolean;
  send(value: unknown): void;
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
  /** Sends each value as a JSON text frame, all frames in ONE TCP write (they arrive together). */
  sendTogether(values: unknown[]): void;
  /** First message after the read cursor matching `pred`; moves the cursor past it. Rejects after `timeoutMs`. */
  next(pred: (m: Msg) => boolean, timeoutMs?: number, what?: string): Promise<Msg>;
  /** Moves the read cursor to the end: `next` then only sees messages that arrive later. */
  skipAll(): void;
  /** Sends `{id, type, data}` and waits for the non-eeg reply carrying that id. */
  request(type: string, data?: unknown, timeoutMs?: number): Promise<Msg>;
  /** Stops/restarts reading from the socket (TCP back-pressure builds up on the server). */
  pause(): void;
  resume(): void;
  close(): void;
}

/** Opens a WebSocket to `url` (ws:// or wss://host:port/path); `extra` adds request headers, subprotocols, a CA. */
export function connectWs(
  url: string,
  timeoutMs = 5000,
  extra: UpgradeOptions = {},
): Promise<WsClient> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = openSocket(u, extra.ca);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`WebSocket handshake to ${url} timed out`));
    }, timeoutMs);
    const key = randomBytes(16).toString("base64");
    let head = Buffer.alloc(0);
    // a server that just drops the connection (a ws:// client on a TLS port) fails now, not at the timeout
    const onEarlyClose = () => {
      clearTimeout(timer);
      reject(new Error(`connection to ${url} closed before an upgrade response`));
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.off("close", onEarlyClose);
      clearTimeout(timer);
      const response = parseHead(head, end);
      if (response.status !== 101) {
        socket.destroy();
        reject(new UpgradeRefused(response));
        return;
      }
      resolve(clientOverSocket(socket, head.subarray(end + 4), response));
    };
    socket.on("data", onData);
    socket.once("close", onEarlyClose);
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(`GET ${u.pathname || "/"} HTTP/1.1\r\n${upgradeHeaders(u.host, key, extra)}\r\n`);
  });
}

/**
 * TCP for ws://; TLS for wss://, verified against `ca` or the system's CAs (an untrusted certificate
 * rejects with node:tls's error, e.g. DEPTH_ZERO_SELF_SIGNED_CERT). SNI must not be an IP (RFC 6066).
 */
function openSocket(u: URL, ca: string | string[] | undefined): Socket {
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (u.protocol !== "wss:") return tcpConnect({ host, port: Number(u.port || 80) });
  return tlsConnect({
    host,
    port: Number(u.port || 443),
    ...(isIP(host) ? {} : { servername: host }),
    ...(ca !== undefined ? { ca } : {}),
  });
}

/** The request head's header lines: the defaults, each replaced in place by an `extra` header of the same name. */
function upgradeHeaders(host: string, key: string, extra: UpgradeOptions): string {
  const protocols = extra.protocols === undefined
    ? {}
    : { "Sec-WebSocket-Protocol": extra.protocols.join(", ") };
  const defaults = {
    Host: host,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": key,
    "Sec-WebSocket-Version": "13",
  };
  const lines = new Map<string, string>(); // lower-case name → line; set() on a known name keeps its place
  for (const [name, value] of Object.entries({ ...defaults, ...extra.headers, ...protocols })) {
    lines.set(name.toLowerCase(), `${name}: ${value}\r\n`);
  }
  return [...lines.values()].join("");
}

/** Status line and headers of an HTTP response head that ends at `end` (the blank line). */
export function parseHead(head: Buffer, end: number): UpgradeResponse {
  const [statusLine = "", ...rest] = head.subarray(0, end).toString("latin1").split("\r\n");
  const fields = rest.filter((line) => line.indexOf(":") > 0).map((
    line,
  ) => [
    line.slice(0, line.indexOf(":")).trim().toLowerCase(),
    line.slice(line.indexOf(":") + 1).trim(),
  ]);
  const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1] ?? 0);
  return {
    status,
    statusLine,
    headers: Object.fromEntries(fields),
    body: head.subarray(end + 4).toString("utf8"),
  };
}
