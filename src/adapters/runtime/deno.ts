/**
 * @module Deno runtime adapter: serves through Deno's node:http with the same code as Node
 * (node-http.ts), because Deno.serve can neither cap inbound WebSocket messages nor drop requests
 * that never finish; signals, stdio and the monotonic clock are Deno's own (the clock lives here,
 * not in its own file, because tsc checks every other src file without Deno's types).
 */
import type { RuntimeAdapter } from "../../ports/runtime.ts";
import { nodeRemoteOf, nodeWsSocketOf, serveOnNodeHttp } from "./node-http.ts";
import { edgeClock, onFirstCall, processClock, type Warn } from "./monotonic.ts";
import { onFirstShutdownSignal } from "./shared.ts";

const encoder = new TextEncoder();

/** Deno: `ws` sockets buffer without limit, so the outbox watches `bufferedAmount`. */
export const denoRuntime: RuntimeAdapter = {
  name: "deno",
  args: Deno.args,
  env: Deno.env.toObject(),
  serve: serveOnNodeHttp,
  socketOf: nodeWsSocketOf,
  remoteOf: nodeRemoteOf,
  onShutdownSignal: (handler) =>
    onFirstShutdownSignal(handler, (signal, listener) => Deno.addSignalListener(signal, listener)),
  monotonicSeconds: onFirstCall(() => denoMonotonic((text) => writeAll(Deno.stderr, text))),
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  exit: (code) => Deno.exit(code),
};

/** writeSync may write part of the buffer (pipes): loop until all of it is out. */
function writeAll(target: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(target.writeSync(bytes));
}

const CLOCK_MONOTONIC = 1; // <linux/time.h>

/**
 * CLOCK_MONOTONIC on Deno: `process.hrtime` counts from process start there, so libc's clock_gettime
 * is called through Deno.dlopen (about 60 ns a call, measured) when --allow-ffi is given (`ffi`: the
 * test turns it off). Without it, Deno.osUptime (sysinfo: CLOCK_BOOTTIME rounded up to whole seconds)
 * calibrates performance.now() once, polling for a second's edge (up to 2 s, blocking); /proc/uptime is no
 * option, as Deno 2 reads /proc files only with --allow-all, which grants FFI anyway. Off Linux,
 * performance.now() alone (warned).
 */
export function denoMonotonic(
  warn: Warn,
  ffi = Deno.permissions.querySync({ name: "ffi" }).state === "granted",
): () => number {
  if (Deno.build.os !== "linux") return processClock(Deno.build.os, warn);
  // the permission is queried first: without it, dlopen or osUptime would prompt on a terminal
  if (ffi) {
    try {
      const libc = Deno.dlopen(
        "libc.so.6",
        {
          clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
        } as const,
      );
      // struct timespec on 64-bit Linux: tv_sec and tv_nsec, two int64
      const ts = new BigInt64Array(2);
      if (libc.symbols.clock_gettime(CLOCK_MONOTONIC, ts) !== 0) {
        throw new Error("clock_gettime failed");
      }
      return () => {
        libc.symbols.clock_gettime(CLOCK_MONOTONIC, ts);
        return Number(ts[0]) + Number(ts[1]) / 1e9;
      };
    } catch (e) {
      warn(`warning: cannot call libc's clock_gettime (${e instanceof Error ? e.message : e})\n`);
    }
  } else {
    warn("warning: no --allow-ffi: the LSL clock cannot read CLOCK_MONOTONIC directly\n");
  }
  if (Deno.permissions.querySync({ name: "sys", kind: "osUptime" }).state !== "granted") {
    warn("warning: no --allow-sys either: the LSL clock cannot be calibrated\n");
    return processClock(Deno.build.os, warn);
  }
  // at the edge where the rounded-up seconds step to N, BOOTTIME is N - 1
  const read = () => Deno.osUptime() - 1;
  try {
    return edgeClock(read, warn, { source: "Deno.osUptime()", tickS: 1, edges: 1, maxEdges: 2 });
  } catch (e) {
    warn(`warning: ${e instanceof Error ? e.message : e}\n`);
    return processClock(Deno.build.os, warn);
  }
}
