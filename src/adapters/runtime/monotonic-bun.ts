/**
 * @module CLOCK_MONOTONIC on Bun: `process.hrtime` counts from process start there, so libc's
 * clock_gettime is called through bun:ffi (about 80 ns a call, measured: cheap enough to call each time).
 */
import type * as Ffi from "bun:ffi";
import { readFileSync } from "node:fs";
import { processClock, uptimeClock, type Warn } from "./monotonic.ts";

const CLOCK_MONOTONIC = 1; // <linux/time.h>

/** A reader of CLOCK_MONOTONIC seconds: libc when it loads, else /proc/uptime, else (off Linux) none. */
export function bunMonotonic(warn: Warn): () => number {
  if (process.platform !== "linux") return processClock(process.platform, warn);
  try {
    // loaded here, at the first reading (LSL's clock), not at start: bun:ffi costs about 2 MB of RSS
    const { dlopen, FFIType, ptr } = require("bun:ffi") as typeof Ffi;
    const libc = dlopen("libc.so.6", {
      clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
    });
    // struct timespec on 64-bit Linux: tv_sec and tv_nsec, two int64
    const ts = new BigInt64Array(2);
    const at = ptr(ts);
    const read = (): number => {
      libc.symbols.clock_gettime(CLOCK_MONOTONIC, at);
      return Number(ts[0]) + Number(ts[1]) / 1e9;
    };
    if (libc.symbols.clock_gettime(CLOCK_MONOTONIC, at) !== 0) {
      throw new Error("clock_gettime failed");
    }
    return read;
  } catch (e) {
    warn(`warning: cannot call libc's clock_gettime (${e instanceof Error ? e.message : e})\n`);
  }
  try {
    return uptimeClock(() => readFileSync("/proc/uptime", "utf8"), warn);
  } catch (e) {
    warn(`warning: cannot read /proc/uptime (${e instanceof Error ? e.message : e})\n`);
    return processClock(process.platform, warn);
  }
}
