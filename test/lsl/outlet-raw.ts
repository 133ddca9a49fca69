/** @module A minimal raw LSL client for the outlet tests (UDP and TCP bytes; no inlet code), plus polling. */
import { Buffer } from "node:buffer";
import dgram from "node:dgram";
import net from "node:net";
import type { Clock } from "../../src/core/clock.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { LslTime } from "../../src/lsl/clock.ts";
import type { Logger, LogLevel } from "../../src/ports/logger.ts";

/** Polls `probe` every 10 ms until it is true; throws after `ms`. */
export async function until(probe: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A UDP socket that keeps what it receives. */
export interface Listener {
  readonly socket: dgram.Socket;
  readonly port: number;
  readonly received: { text: string; port: number; address: string }[];
  send(text: string, port: number, address: string): Promise<void>;
  close(): Promise<void>;
}

export async function udpListener(): Promise<Listener> {
  const socket = dgram.createSocket({ type: "udp4" });
  const received: Listener["received"] = [];
  socket.on(
    "message",
    (m, r) => received.push({ text: m.toString("utf8"), port: r.port, address: r.address }),
  );
  socket.on("error", () => {});
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  return {
    socket,
    port: socket.address().port,
    received,
    send: (text, port, address) =>
      new Promise((resolve, reject) =>
        socket.send(text, port, address, (e) => (e ? reject(e) : resolve()))
      ),
    close: () => new Promise((r) => socket.close(() => r())),
  };
}

/** A TCP connection that keeps what it receives and whether the server ended it. */
export interface Conn {
  readonly socket: net.Socket;
  bytes(): Buffer;
  ended(): boolean;
}

export async function connect(
  port: number,
  request: string | Uint8Array,
  read = true,
): Promise<Conn> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  const parts: Buffer[] = [];
  let ended = false;
  socket.on("error", () => {});
  socket.on("close", () => (ended = true));
  await new Promise<void>((r) => socket.once("connect", () => r()));
  if (read) socket.on("data", (d: Buffer) => parts.push(d));
  else socket.pause();
  socket.write(request);
  return { socket, bytes: () => Buffer.concat(parts), ended: () => ended };
}

/** Sends `request`, reads to EOF. */
export async function exchange(
  port: number,
  request: string,
  ms = 3000, /* EOF comes in < 50 ms on loopback */
): Promise<string> {
  const c = await connect(port, request);
  await until(c.ended, ms, `EOF from port ${port}`);
  return c.bytes().toString("utf8");
}

export const feedRequest = (uid: string, maxBufferLength: number, valueSize = 4): string =>
  `LSL:streamfeed/110 ${uid}\r\nNative-Byte-Order: 1234\r\nEndian-Performance: 2.2e+06\r\nHas-IEEE754-Floats: 1\r\n` +
  `Supports-Subnormals: 1\r\nValue-Size: ${valueSize}\r\nData-Protocol-Version: 110\r\n` +
  `Max-Buffer-Length: ${maxBufferLength}\r\nMax-Chunk-Length: 0\r\nHostname: t\r\n\r\n`;

export const shortinfoQuery = (query: string, returnPort: number, id: string): string =>
  `LSL:shortinfo\r\n${query}\r\n${returnPort} ${id}\r\n`;

/** An LSL clock that steps by 0.25 s on every read, so tests can tell t1 from t2. */
export function steppingTime(start: number): LslTime & { reads: number[] } {
  const reads: number[] = [];
  let t = start;
  return {
    reads,
    now: () => {
      reads.push(t);
      return (t += 0.25) - 0.25;
    },
    fromUnix: (u) => u,
    toUnix: (l) => l,
  };
}

/** A logger that keeps its lines. */
export function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level: LogLevel, message: string) => lines.push(`${level} ${message}`) };
}

export const clock: Clock = systemClock;

/** The system clock, except that timers of `ms` wait for `fire()` (so a 10 s timeout costs no 10 s). */
export function heldTimers(ms: number): Clock & { fire(): number; held(): number } {
  const held = new Map<number, () => void>();
  let next = 0;
  return {
    ...systemClock,
    setTimeout: (fn, delay) => {
      if (delay !== ms) return systemClock.setTimeout(fn, delay);
      held.set(++next, fn);
      return -next;
    },
    clearTimeout: (
      h,
    ) => (typeof h === "number" && h < 0 ? held.delete(-h) : systemClock.clearTimeout(h)),
    held: () => held.size,
    fire: () => {
      const due = [...held.values()];
      held.clear();
      for (const fn of due) fn();
      return due.length;
    },
  };
}

/** A suffix that makes stream names unique across parallel test files. */
export const unique = (): string => Math.random().toString(36).slice(2, 10);
