/** @module Shared pieces of the multi-device scenarios (docs/protocol/bridge-api.md §6): device sockets, GET /devices, raw upgrade requests, sample comparisons. */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import type { ServerProcess } from "../server-process.ts";
import { parseHead } from "../ws-client.ts";
import type { WsClient } from "../ws-client.ts";
import type { BatchSample, Data } from "./stream-helpers.ts";
import { isBatch } from "./stream-helpers.ts";

export const SIM_IDS = ["sim-1", "sim-2", "sim-3"];
/** The simulated headsets' addresses, in device order. */
export const SIM_ADDRESSES = ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"];
export const CHANNELS = Array.from({ length: 12 }, (_, i) => `ch${i + 1}`);

/** The WebSocket path of one device. */
export const devicePath = (id: string) => `/devices/${id}/ws`;

/** Sorted keys of an object (a message's data: the shape a client sees). */
export const keysOf = (d: object) => Object.keys(d).sort();

/** `GET /devices`: the `devices` list (throws unless 200 with one). */
export async function getDevices(srv: ServerProcess): Promise<Data[]> {
  const res = await fetch(`${srv.http}/devices`);
  const body = (await res.json()) as Data;
  if (res.status !== 200 || !Array.isArray(body["devices"])) {
    throw new Error(`GET /devices answered ${res.status}: ${JSON.stringify(body)}`);
  }
  return body["devices"] as Data[];
}

/** device_id → state of a devices list. */
export function statesOf(devices: Data[]): Record<string, string> {
  return Object.fromEntries(devices.map((d) => [d["device_id"], d["state"]]));
}

/** Polls GET /devices every 100 ms until `cond` holds; throws after `timeoutMs` with the last states. */
export async function untilDevices(
  srv: ServerProcess,
  cond: (devices: Data[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Data[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const devices = await getDevices(srv);
    if (cond(devices)) return devices;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; states ${
          JSON.stringify(statesOf(devices))
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls the async `cond` every 50 ms until true; throws after `timeoutMs`. */
export async function untilAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** POST a JSON body; status and parsed body. */
export async function postJson(
  srv: ServerProcess,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Data }> {
  const res = await fetch(`${srv.http}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Data };
}

/**
 * A WebSocket upgrade request for `path` written exactly as given (no URL normalisation), answered
 * with the status, headers and the whole body (Content-Length) of a refusal; a 101 resolves at once.
 */
export function rawUpgrade(
  port: number,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buf = Buffer.alloc(0);
    const done = (r: { status: number; headers: Record<string, string>; body: string } | Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const timer = setTimeout(
      () =>
        done(
          new Error(
            `upgrade of ${path}: no complete answer within ${timeoutMs} ms (${buf.length} bytes)`,
          ),
        ),
      timeoutMs,
    );
    const answer = (closed: boolean) => {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) {
        return closed
          ? done(new Error(`upgrade of ${path}: closed without a response head`))
          : undefined;
      }
      const head = parseHead(buf, end);
      const body = buf.subarray(end + 4);
      const length = Number(head.headers["content-length"] ?? Number.NaN);
      if (head.status === 101 || closed || body.length >= length) {
        done({ status: head.status, headers: head.headers, body: body.toString("utf8") });
      }
    };
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      answer(false);
    });
    socket.on("close", () => answer(true));
    socket.on("error", (e) => done(e));
    const key = randomBytes(16).toString("base64");
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** The 12 channel values of a sample, as one comparable text. */
export const channelText = (s: BatchSample | Data) =>
  JSON.stringify(CHANNELS.map((ch) => (s["channels"] as Record<string, number>)[ch]));

/** Samples delivered in the eeg_batch messages of `c` received from index `from` on. */
export function batchSampleCount(c: WsClient, from: number): number {
  return c.messages.slice(from).filter(isBatch).reduce(
    (n, m) => n + (m.data["count"] as number),
    0,
  );
}

/** The seqs of `samples`, ascending. */
export function sortedSeqs(samples: Map<number, unknown>): number[] {
  return [...samples.keys()].sort((a, b) => a - b);
}

/** Every place where `seqs` is not consecutive, as "before→after". */
export function holesOf(seqs: number[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== seqs[i - 1]! + 1) out.push(`${seqs[i - 1]}→${seqs[i]}`);
  }
  return out;
}
