/** @module A socat pty pair standing in for the RFCOMM tty, and a feeder that writes MW75 packets into it at ~500 Hz. */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { buildPacket } from "../../src/sources/packet-builder.ts";

/** A running socat with two linked ptys: bytes written to `a` come out of `b`. */
export interface PtyPair {
  readonly a: string;
  readonly b: string;
  /** Kills socat by PID (both ptys go away: readers of `b` see EOF/EIO); idempotent. */
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and waits (bounded) for both links. */
export async function startPtyPair(a: string, b: string): Promise<PtyPair> {
  const child: ChildProcess = spawn("socat", [
    "-d",
    "-d",
    `pty,raw,echo=0,link=${a}`,
    `pty,raw,echo=0,link=${b}`,
  ], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.on(
    "data",
    (d: Uint8Array) => void (log = (log + new TextDecoder().decode(d)).slice(-2000)),
  );
  const stop = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  // socat is up within ~50 ms when idle; 5 s is for a loaded machine
  const deadline = Date.now() + 5000;
  // socat logs "starting data transfer loop" once both ends exist
  while (!(existsSync(a) && existsSync(b) && log.includes("starting data transfer loop"))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      throw new Error(`socat did not start:\n${log}`);
    }
    await sleep(20);
  }
  return { a, b, stop };
}

/** Deterministic raw channel values for the packet with counter `counter` (exact in f32). */
export function rawChannelsFor(counter: number): number[] {
  return Array.from({ length: 12 }, (_, c) => ((counter * 37 + c * 1001) % 20000) - 10000 + c / 4);
}

/** `count` consecutive EEG packets starting at index `from`; values depend on the counter only. */
export function makePackets(count: number, from = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, k) => {
    const counter = (from + k) & 0xff;
    return buildPacket({ counter, rawChannels: rawChannelsFor(counter) });
  });
}

/**
 * Writes the packets into `path` at ~`hz` (batches every 10 ms); stops early when `shouldStop()` says so.
 * Goes through a `cat` child because Deno only opens device files under --allow-all.
 */
export async function feedPackets(
  path: string,
  packets: Uint8Array[],
  hz = 500,
  shouldStop = () => false,
): Promise<number> {
  const writer = spawn("sh", ["-c", 'exec cat > "$0"', path], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  const exited = new Promise<void>((r) => writer.once("exit", () => r()));
  writer.stdin!.on("error", () => {}); // the pty may vanish mid-feed (link-loss tests)
  const perTick = Math.max(1, Math.round(hz / 100));
  let sent = 0;
  try {
    while (sent < packets.length && !shouldStop() && writer.exitCode === null) {
      for (let k = 0; k < perTick && sent < packets.length; k++) {
        writer.stdin!.write(packets[sent++]!);
      }
      await sleep(10);
    }
  } finally {
    writer.stdin!.end();
    const timer = setTimeout(
      () =>
        writer.pid !== undefined && writer.exitCode === null && process.kill(writer.pid, "SIGKILL"),
      3000,
    );
    await exited;
    clearTimeout(timer);
  }
  return sent;
}
