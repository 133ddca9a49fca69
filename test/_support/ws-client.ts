/**
 * @module A minimal RFC 6455 client over node:net for the conformance suite. Unlike the built-in
 * WebSocket it can stop reading (`pause()`, so the server's buffer fills), send raw binary frames
 * and keeps every message it received, parsed, in order. `wss://` runs the same client over node:tls.
 */
import { randomBytes } from "node:crypto";
import { connect as tcpConnect, isIP } from "node:net";
import type { Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

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

let requestSeq = 0;

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
      resolve(createClient(socket, head.subarray(end + 4), response));
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

function createClient(socket: Socket, initial: Buffer, upgrade: UpgradeResponse): WsClient {
  const messages: Msg[] = [];
  let cursor = 0;
  let buf = initial;
  let fragments: Buffer[] = [];
  let firstOpcode = 0x1; // a fragmented message's kind comes from its first frame
  let closedFlag = false;
  let closeCode = 1006;
  const waiters = new Set<() => void>();
  let resolveClosed: (code: number) => void = () => {};
  const closed = new Promise<number>((r) => (resolveClosed = r));
  const wake = () => {
    for (const w of [...waiters]) w();
  };

  const frame = (opcode: number, payload: Uint8Array): Buffer => {
    const mask = randomBytes(4);
    const len = payload.length;
    const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (len < 126) header[1] = 0x80 | len;
    else if (len < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i & 3]!;
    return Buffer.concat([header, mask, body]);
  };
  const write = (opcode: number, payload: Uint8Array) => {
    if (!closedFlag && !socket.destroyed) socket.write(frame(opcode, payload));
  };
  const writeTogether = (payloads: Uint8Array[]) => {
    if (!closedFlag && !socket.destroyed) {
      socket.write(Buffer.concat(payloads.map((p) => frame(0x1, p))));
    }
  };

  const parse = () => {
    for (;;) {
      if (buf.length < 2) return;
      const b0 = buf[0]!;
      const b1 = buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      const opcode = b0 & 0x0f;
      if (opcode === 0x8) {
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        write(0x8, payload.subarray(0, 2));
        finish();
        return;
      }
      if (opcode === 0x9) {
        write(0xa, payload);
        continue;
      }
      if (opcode === 0xa) continue;
      if (opcode !== 0) firstOpcode = opcode;
      fragments.push(Buffer.from(payload));
      if ((b0 & 0x80) === 0) continue;
      const whole = Buffer.concat(fragments);
      fragments = [];
      if (firstOpcode === 0x2) {
        messages.push({
          id: null,
          type: "__binary__",
          data: {},
          raw: "",
          bytes: new Uint8Array(whole),
        });
        continue;
      }
      const text = whole.toString("utf8");
      try {
        const parsed = JSON.parse(text) as Omit<Msg, "raw">;
        messages.push({ ...parsed, raw: text });
      } catch {
        messages.push({ id: null, type: "__not_json__", data: {}, raw: text });
      }
    }
  };
  const finish = () => {
    if (closedFlag) return;
    closedFlag = true;
    socket.end();
    resolveClosed(closeCode);
    wake();
  };
  socket.on("data", (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    parse();
    wake();
  });
  socket.on("close", finish);
  socket.on("error", finish);
  if (buf.length > 0) {
    queueMicrotask(() => {
      parse();
      wake();
    });
  }

  const client: WsClient = {
    upgrade,
    messages,
    closed,
    get isClosed() {
      return closedFlag;
    },
    send: (value) => write(0x1, Buffer.from(JSON.stringify(value))),
    sendText: (text) => write(0x1, Buffer.from(text)),
    sendBinary: (bytes) => write(0x2, bytes),
    sendTogether: (values) => writeTogether(values.map((v) => Buffer.from(JSON.stringify(v)))),
    next(pred, timeoutMs = 5000, what = "a matching message") {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = cursor; i < messages.length; i++) {
            if (pred(messages[i]!)) {
              cursor = i + 1;
              cleanup();
              resolve(messages[i]!);
              return true;
            }
          }
          return false;
        };
        const timer = setTimeout(() => {
          cleanup();
          // control messages say more about a stuck scenario than the last eeg_data do
          const control = messages.filter((m) => m.type !== "eeg_data").slice(-8);
          const recent = control.map((m) => m.raw.slice(0, 160)).join("\n  ");
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; last control messages:\n  ${recent}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(onWake);
        };
        const onWake = () => void check();
        if (check()) return;
        waiters.add(onWake);
      });
    },
    skipAll: () => void (cursor = messages.length),
    request(type, data, timeoutMs = 5000) {
      const id = `req-${++requestSeq}`;
      client.send(data === undefined ? { id, type } : { id, type, data });
      return client.next(
        (m) => m.id === id && m.type !== "eeg_data",
        timeoutMs,
        `the reply to ${type} (${id})`,
      );
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close() {
      write(0x8, Buffer.from([0x03, 0xe8]));
      setTimeout(() => socket.destroy(), 200);
    },
  };
  return client;
}
