/**
 * @module A raw RFC 6455 client over node:net for the adversarial bench: writes exactly the bytes it
 * is given (two frames in one write, 64 MiB frames), can stop reading, timestamps every arrival.
 */
import { randomBytes } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import type { Socket } from "node:net";
import { sleep } from "./server-harness.ts";

// --- frames ---

/**
 * One client frame. Payloads above 1 MiB use the all-zero masking key (valid: the server cannot
 * tell) so that building a 64 MiB frame does not cost 64 M XORs in the bench.
 */
export function frame(opcode: number, payload: Uint8Array | string, fin = true): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  const len = body.length;
  const header = Buffer.alloc(len < 126 ? 2 : len < 65536 ? 4 : 10);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) header[1] = 0x80 | len;
  else if (len < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = len > 1 << 20 ? Buffer.alloc(4) : randomBytes(4);
  if (len <= 1 << 20) { for (let i = 0; i < len; i++) body[i] = body[i]! ^ mask[i & 3]!; }
  return Buffer.concat([header, mask, body]);
}

/** A masked text frame of `value` (JSON-encoded unless it is already a string). */
export const textFrame = (value: unknown): Buffer =>
  frame(0x1, typeof value === "string" ? value : JSON.stringify(value));

// --- raw client ---

/** One received message; eeg_data is recognised by its prefix and not parsed. */
export interface Msg {
  at: number;
  type: string;
  id: unknown;
  data: Record<string, unknown>;
  size: number;
  /** The text, cut to 300 characters. */
  head: string;
}

const PARSE_LIMIT = 256 * 1024;

/** A WebSocket client that writes exactly what it is told and records every arrival with its time. */
export class RawWs {
  readonly msgs: Msg[] = [];
  closeCode: number | null = null;
  closedAt: number | null = null;
  error: string | null = null;
  readonly closed: Promise<number>;
  #resolveClosed: (code: number) => void = () => {};
  #chunks: Buffer[] = [];
  #total = 0;
  #need = 2;
  #fragments: Buffer[] = [];
  #seq = 0;

  private constructor(readonly socket: Socket, initial: Buffer) {
    this.closed = new Promise<number>((r) => (this.#resolveClosed = r));
    socket.on("data", (chunk: Buffer) => this.#push(chunk));
    socket.on("close", () => this.#finish(1006));
    socket.on("error", (e) => {
      this.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
      this.#finish(1006);
    });
    if (initial.length > 0) this.#push(initial);
  }

  /** Opens ws://127.0.0.1:port/path (rejects after `timeoutMs`). */
  static open(port: number, path = "/", timeoutMs = 5000): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: "127.0.0.1", port });
      socket.setNoDelay(true);
      const timer = setTimeout(
        () => (socket.destroy(), reject(new Error(`handshake timed out after ${timeoutMs} ms`))),
        timeoutMs,
      );
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        clearTimeout(timer);
        const status = head.subarray(0, end).toString("latin1").split("\r\n")[0] ?? "";
        if (!status.includes(" 101 ")) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${status}`));
          return;
        }
        resolve(new RawWs(socket, head.subarray(end + 4)));
      };
      socket.on("data", onData);
      socket.once("error", (e) => (clearTimeout(timer), reject(e)));
      const key = randomBytes(16).toString("base64");
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  get isClosed(): boolean {
    return this.closedAt !== null;
  }

  /** Writes raw bytes; false when the socket is gone. */
  write(bytes: Uint8Array): boolean {
    if (this.socket.destroyed) return false;
    this.socket.write(bytes);
    return true;
  }

  /** Writes and waits for the socket to drain (at most `timeoutMs`); false when it did not or the socket died. */
  writeDrained(bytes: Uint8Array, timeoutMs: number): Promise<boolean> {
    if (this.socket.destroyed) return Promise.resolve(false);
    if (this.socket.write(bytes)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.socket.off("drain", onDrain);
        this.socket.off("close", onClose);
        resolve(ok);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), Math.max(1, timeoutMs));
      this.socket.on("drain", onDrain);
      this.socket.on("close", onClose);
    });
  }

  send(value: unknown): boolean {
    return this.write(textFrame(value));
  }

  /** First message at index ≥ `from` matching `pred`, or null after `timeoutMs`. Never rejects. */
  async waitFor(pred: (m: Msg) => boolean, timeoutMs: number, from = 0): Promise<Msg | null> {
    const deadline = performance.now() + timeoutMs;
    let i = from;
    for (;;) {
      for (; i < this.msgs.length; i++) if (pred(this.msgs[i]!)) return this.msgs[i]!;
      if (performance.now() >= deadline || (this.isClosed && i >= this.msgs.length)) return null;
      await sleep(5);
    }
  }

  /** Sends `{id, type, data}` and waits for the non-eeg reply with that id (null on timeout). */
  request(type: string, data?: unknown, timeoutMs = 3000): Promise<Msg | null> {
    const id = `q${++this.#seq}`;
    const from = this.msgs.length;
    this.send(data === undefined ? { id, type } : { id, type, data });
    return this.waitFor((m) => m.id === id && m.type !== "eeg_data", timeoutMs, from);
  }

  /** Arrival times of eeg_data within [t0, t1]. */
  eegTimes(t0 = 0, t1 = Number.POSITIVE_INFINITY): number[] {
    const out: number[] = [];
    for (const m of this.msgs) {
      if (m.type === "eeg_data" && m.at >= t0 && m.at <= t1) out.push(m.at);
    }
    return out;
  }

  /** Longest time without eeg_data inside [t0, t1], window edges included (a full stall counts). */
  maxGap(t0: number, t1: number): number {
    let prev = t0;
    let max = 0;
    for (const t of this.eegTimes(t0, t1)) {
      max = Math.max(max, t - prev);
      prev = t;
    }
    return Math.max(max, t1 - prev);
  }

  pause(): void {
    this.socket.pause();
  }
  resume(): void {
    this.socket.resume();
  }
  close(): void {
    if (!this.socket.destroyed) this.socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
    setTimeout(() => this.socket.destroy(), 200);
  }
  destroy(): void {
    this.socket.destroy();
  }

  // chunks are joined only once a whole frame is there, so a 64 MiB message is copied once, not per chunk
  #push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#total += chunk.length;
    if (this.#total < this.#need) return;
    let buf = this.#chunks.length === 1
      ? this.#chunks[0]!
      : Buffer.concat(this.#chunks, this.#total);
    let off = 0;
    for (;;) {
      const n = this.#frameAt(buf, off);
      if (n < 0) {
        this.#need = -n;
        break;
      }
      off = n;
    }
    buf = buf.subarray(off);
    this.#chunks = buf.length > 0 ? [buf] : [];
    this.#total = buf.length;
  }

  /** Handles the frame at `off`; returns the offset after it, or −(bytes needed from `off`) when incomplete. */
  #frameAt(buf: Buffer, off: number): number {
    const avail = buf.length - off;
    if (avail < 2) return -2;
    const b0 = buf[off]!;
    let len = buf[off + 1]! & 0x7f;
    let hdr = 2;
    if (len === 126) {
      if (avail < 4) return -4;
      len = buf.readUInt16BE(off + 2);
      hdr = 4;
    } else if (len === 127) {
      if (avail < 10) return -10;
      len = Number(buf.readBigUInt64BE(off + 2));
      hdr = 10;
    }
    if (avail < hdr + len) return -(hdr + len);
    const payload = buf.subarray(off + hdr, off + hdr + len);
    const opcode = b0 & 0x0f;
    if (opcode === 0x8) {
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      this.write(frame(0x8, payload.subarray(0, 2)));
      this.#finish(code);
      this.socket.end();
    } else if (opcode === 0x9) {
      this.write(frame(0xa, payload));
    } else if (opcode !== 0xa) {
      this.#fragments.push(Buffer.from(payload));
      if ((b0 & 0x80) !== 0) {
        const whole = this.#fragments.length === 1
          ? this.#fragments[0]!
          : Buffer.concat(this.#fragments);
        this.#fragments = [];
        this.msgs.push(describe(whole));
      }
    }
    return off + hdr + len;
  }

  #finish(code: number): void {
    if (this.closedAt !== null) return;
    this.closedAt = performance.now();
    this.closeCode = code;
    this.#resolveClosed(code);
  }
}

function describe(payload: Buffer): Msg {
  const at = performance.now();
  const size = payload.length;
  if (payload.subarray(0, 80).indexOf('"type":"eeg_data"') >= 0) {
    return { at, type: "eeg_data", id: null, data: {}, size, head: "" };
  }
  const head = payload.subarray(0, 300).toString("utf8");
  if (size > PARSE_LIMIT) {
    // huge replies (a pong echoing a 1 MiB id) are only sniffed: `type` follows the id or precedes the data
    const tail = payload.subarray(Math.max(0, size - 400)).toString("utf8");
    const type = /"type":"([a-z_]+)"/.exec(head)?.[1] ?? /"type":"([a-z_]+)"/.exec(tail)?.[1] ??
      "?";
    return { at, type, id: "(huge)", data: {}, size, head };
  }
  try {
    const m = JSON.parse(payload.toString("utf8")) as {
      id?: unknown;
      type?: string;
      data?: Record<string, unknown>;
    };
    return { at, type: String(m.type), id: m.id, data: m.data ?? {}, size, head };
  } catch {
    return { at, type: "__not_json__", id: null, data: {}, size, head };
  }
}
