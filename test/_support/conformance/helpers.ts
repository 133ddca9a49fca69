/** @module Shared pieces of the conformance scenarios: server lifetime, message predicates, bounded waits. */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { startServer } from "../server-process.ts";
import type { Runtime, ServerProcess } from "../server-process.ts";
import { connectWs } from "../ws-client.ts";
import type { Msg, UpgradeOptions, WsClient } from "../ws-client.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Opens a client on a path (default `/`), or with upgrade options (headers, subprotocols, a CA) and a path. */
export type Open = (target?: string | (UpgradeOptions & { path?: string })) => Promise<WsClient>;

/**
 * Runs `body` against a fresh server started with `args` (and extra environment variables); the
 * server and every client are killed in `finally`.
 */
export async function withServer(
  runtime: Runtime,
  args: string[],
  body: (srv: ServerProcess, open: Open) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  const srv = await startServer(runtime, args, 20_000, env);
  const clients: WsClient[] = [];
  const open: Open = async (target = "/") => {
    const extra = typeof target === "string" ? { path: target } : target;
    const c = await connectWs(`${srv.ws}${extra.path ?? "/"}`, 5000, extra);
    clients.push(c);
    return c;
  };
  try {
    await body(srv, open);
  } finally {
    for (const c of clients) c.close();
    srv.kill();
  }
}

/** Opens a client and consumes its welcome status. */
export async function openWelcomed(
  open: (path?: string) => Promise<WsClient>,
  path = "/",
): Promise<{ c: WsClient; welcome: Msg }> {
  const c = await open(path);
  const welcome = await c.next(
    isStatusMessage("Client connected to MW75 server"),
    5000,
    "the welcome status",
  );
  return { c, welcome };
}

export const isEeg = (m: Msg) => m.type === "eeg_data";
export const isStatus = (state: string) => (m: Msg) =>
  m.type === "status" && m.data["state"] === state;
export const isStatusMessage = (text: string) => (m: Msg) =>
  m.type === "status" && m.data["message"] === text;
export const isError = (code: string) => (m: Msg) => m.type === "error" && m.data["code"] === code;

/** Asserts a status event's shape. */
export function expectStatusEvent(m: Msg, state: string): void {
  expect(m.type).toBe("status");
  expect(m.data["state"]).toBe(state);
  expect(typeof m.data["message"]).toBe("string");
  expect(typeof m.data["timestamp"]).toBe("number");
  expect("battery_level" in m.data).toBe(true);
  expect(m.id).toMatch(UUID);
}

/** Asserts an error message's shape (fresh UUID id unless `id` is given). */
export function expectError(m: Msg, code: string, id?: unknown): void {
  expect(m.type).toBe("error");
  expect(m.data["code"]).toBe(code);
  expect(typeof m.data["message"]).toBe("string");
  expect(typeof m.data["timestamp"]).toBe("number");
  if (id === undefined) expect(m.id).toMatch(UUID);
  else expect(m.id).toEqual(id);
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `cond` (sync or async) every 50 ms until it holds; throws naming `what` once `timeoutMs`
 * has passed. The readiness wait to use instead of a fixed sleep.
 */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await delay(50);
  }
}

/** Polls GET /health until `pred` holds on it (bounded like `waitUntil`); returns that body. */
export async function healthUntil(
  srv: ServerProcess,
  pred: (h: HealthBody) => boolean,
  timeoutMs: number,
  what: string,
): Promise<HealthBody> {
  let last: HealthBody = {};
  try {
    await waitUntil(async () => pred(last = await health(srv)), timeoutMs, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}; last /health: ${JSON.stringify(last)}`);
  }
  return last;
}

// deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
type HealthBody = Record<string, any>;

/** GET /health as JSON. */
// deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
export async function health(srv: ServerProcess): Promise<Record<string, any>> {
  const res = await fetch(`${srv.http}/health`);
  expect(res.status).toBe(200);
  // deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
  return (await res.json()) as Record<string, any>;
}

/** Counters of the eeg_data messages in `msgs`. */
export function counters(msgs: Msg[]): number[] {
  return msgs.filter(isEeg).map((m) => m.data["counter"] as number);
}

/** Messages of `c` received from index `from` on. */
export function since(c: WsClient, from: number): Msg[] {
  return c.messages.slice(from);
}

/** Resident memory of a process in MB (VmRSS; VmHWM with `peak`), read from /proc. */
export function rssMb(pid: number, peak = false): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${peak ? "VmHWM" : "VmRSS"}:\\s+(\\d+) kB`, "m").exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
