/** @module What the MQTT test files share: bounded waits, /health, and clean-ups run after the file (servers, brokers, subscribers). */
import { afterAll } from "bun:test";
import { startServer } from "../server-process.ts";
import type { Runtime, ServerProcess } from "../server-process.ts";

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET /health as JSON. */
// deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
export async function health(srv: ServerProcess): Promise<Record<string, any>> {
  // deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
  return (await (await fetch(`${srv.http}/health`)).json()) as Record<string, any>;
}

/** Waits (bounded) until `check` holds, polling every `pollMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  pollMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await delay(pollMs);
  }
}

/** A list of clean-ups run in reverse order after every test of the calling file. */
export function cleanupsAfterAll(): Array<() => Promise<void> | void> {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  return cleanups;
}

/** What a publishing bridge is started with; `extra` adds flags (e.g. a faster simulator rate). */
export interface PublishingBridge {
  runtime: Runtime;
  brokerUrl: string;
  bridgeId: string;
  devices: number;
  extra?: string[];
}

/**
 * Starts `serve` with simulated headsets connected at start-up and publishing to the broker; the
 * server is killed with the file's other clean-ups.
 */
export async function startPublishingBridge(
  cleanups: Array<() => Promise<void> | void>,
  b: PublishingBridge,
): Promise<ServerProcess> {
  const srv = await startServer(b.runtime, [
    "--sim-devices",
    String(b.devices),
    ...(b.extra ?? []),
    "--autoconnect",
    "--mqtt",
    b.brokerUrl,
    "--bridge-id",
    b.bridgeId,
  ]);
  cleanups.push(() => srv.kill());
  return srv;
}
