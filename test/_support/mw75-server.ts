/** @module Starts `serve --source mw75` under Bun, Deno or Node with a given system-bus address, and a small WebSocket client for it. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export type Runtime = "bun" | "deno" | "node";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = `${ROOT}node_modules/.bin`;

/** The documented commands (docs/real-headset.md); Deno gets the same flags as its `serve` task. */
const COMMAND: Record<Runtime, string[]> = {
  bun: [`${BIN}/bun`, "src/bun.ts"],
  deno: [`${BIN}/deno`, "run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-sys", "src/deno.ts"],
  node: ["node", "--import", "tsx", "src/node.ts"],
};

/** A running server child. */
export interface Mw75Server {
  readonly ws: string;
  output(): string;
  /** SIGKILL by PID if still running; idempotent. */
  kill(): void;
}

/** Spawns the server with `--port 0 -v` plus `args` and waits (bounded) for its `listening on` line. */
export function startMw75Server(runtime: Runtime, args: string[], busAddress: string, timeoutMs = 30_000): Promise<Mw75Server> {
  const [cmd, ...pre] = COMMAND[runtime];
  const child = spawn(cmd!, [...pre, "--port", "0", "-v", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress },
  });
  let out = "";
  const keep = (d: Uint8Array) => void (out = (out + new TextDecoder().decode(d)).slice(-200_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      const m = /listening on http:\/\/([^\s:]+):(\d+)/.exec(out);
      if (m) {
        clearInterval(poll);
        resolve({ ws: `ws://${m[1]}:${m[2]}/`, output: () => out, kill });
      } else if (child.exitCode !== null || Date.now() > deadline) {
        clearInterval(poll);
        kill();
        reject(new Error(`server (${runtime}) did not start:\n${out}`));
      }
    }, 25);
  });
}

/** A parsed server message. */
export interface Msg {
  type: string;
  data: Record<string, unknown>;
}

/** A WebSocket client that keeps every message and can wait for one. */
export interface Client {
  readonly messages: Msg[];
  send(value: unknown): void;
  /** Next message (after the cursor) matching `pred`; rejects after `timeoutMs`. */
  next(pred: (m: Msg) => boolean, timeoutMs: number, what: string): Promise<Msg>;
  /** Moves the cursor to the end (older messages are skipped by next()). */
  skipAll(): void;
  close(): void;
}

/** Opens a client on `url` (bounded). */
export function connectClient(url: string, timeoutMs = 5000): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: Msg[] = [];
    let cursor = 0;
    const timer = setTimeout(() => reject(new Error(`WebSocket to ${url} did not open`)), timeoutMs);
    socket.onmessage = (e) => void messages.push(JSON.parse(String(e.data)) as Msg);
    socket.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
    socket.onopen = () => {
      clearTimeout(timer);
      resolve({
        messages,
        send: (value) => socket.send(JSON.stringify(value)),
        skipAll: () => void (cursor = messages.length),
        close: () => socket.close(),
        async next(pred, ms, what) {
          const end = Date.now() + ms;
          for (;;) {
            while (cursor < messages.length) {
              const m = messages[cursor++]!;
              if (pred(m)) return m;
            }
            if (Date.now() > end) {
              const seen = messages.filter((m) => m.type !== "eeg_data").map((m) => `${m.type} ${JSON.stringify(m.data)}`);
              throw new Error(`no ${what} within ${ms} ms; non-EEG messages so far:\n${seen.join("\n")}`);
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        },
      });
    };
  });
}
