/**
 * @module Pieces the access and limits scenarios (docs/protocol/bridge-api.md §5) share: a server whose clients may
 * carry headers and subprotocols, raw HTTP over TCP (to choose the Host header), bounded waits.
 */
import { expect } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Runtime, ServerProcess } from "../server-process.ts";
import { connectWs, parseHead, UpgradeRefused } from "../ws-client.ts";
import type { Msg, UpgradeOptions, UpgradeResponse, WsClient } from "../ws-client.ts";
import { delay, isStatusMessage, withServer } from "./helpers.ts";

/** Opens a client on `path` (default `/`) with extra upgrade headers and subprotocols. */
export type OpenWith = (extra?: UpgradeOptions & { path?: string }) => Promise<WsClient>;

/** Like withServer, with header-carrying clients and extra environment variables. */
export function withAccessServer(
  runtime: Runtime,
  args: string[],
  body: (srv: ServerProcess, open: OpenWith) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  return withServer(runtime, args, (srv, open) => body(srv, (extra = {}) => open(extra)), env);
}

/** Waits for the welcome status of a client that was just admitted. */
export async function welcomed(c: WsClient): Promise<WsClient> {
  await c.next(isStatusMessage("Client connected to MW75 server"), 5000, "the welcome status");
  return c;
}

/** Shorthand headers. */
export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
export const origin = (value: string) => ({ headers: { Origin: value } });

/** The HTTP status an upgrade with `extra` gets (101 = accepted; the client is closed again). */
export async function upgradeStatus(srv: ServerProcess, extra: UpgradeOptions): Promise<number> {
  try {
    const c = await connectWs(`${srv.ws}/`, 5000, extra);
    c.close();
    await Promise.race([c.closed, delay(1000)]);
    return c.upgrade.status;
  } catch (e) {
    if (e instanceof UpgradeRefused) return e.response.status;
    throw e;
  }
}

/** A raw HTTP exchange: status, lower-case headers and body (status 0 when no whole head came). */
export type RawResponse = UpgradeResponse;

/**
 * Writes `request` (a whole HTTP/1.1 head, optionally followed by bytes such as WebSocket frames)
 * to 127.0.0.1:`port` and collects the answer until the server closes or `timeoutMs` passes.
 */
export function rawHttp(
  port: number,
  request: string | Buffer,
  timeoutMs = 3000,
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    let got = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const end = got.indexOf("\r\n\r\n");
      resolve(
        end < 0
          ? { status: 0, statusLine: got.toString("latin1"), headers: {}, body: "" }
          : parseHead(got, end),
      );
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      // a complete answer with Content-Length needs no wait for the close
      const text = got.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1];
      if (end >= 0 && len !== undefined && got.length >= end + 4 + Number(len)) done();
    });
    socket.on("error", done);
    socket.on("close", done);
  });
}

/** `GET path` with exactly the given Host header (and Connection: close). */
export function getWithHost(
  port: number,
  path: string,
  host: string,
  timeoutMs = 3000,
): Promise<RawResponse> {
  return rawHttp(
    port,
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    timeoutMs,
  );
}

/** One masked client text frame (payload < 126 bytes), for frames pipelined behind an upgrade. */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 126) {
    throw new RangeError("maskedTextFrame: payload must be shorter than 126 bytes");
  }
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, body]);
}

/** The upgrade head for `/` with `extra` header lines. */
export function upgradeHead(port: number, extra: Record<string, string>): string {
  const lines = [
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...Object.entries(extra).map(([k, v]) => `${k}: ${v}`),
  ];
  return `GET / HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** The close code of `c` within `ms` (-1 when it is still open). */
export function closeCodeWithin(c: WsClient, ms: number): Promise<number> {
  return Promise.race([c.closed, delay(ms).then(() => -1)]);
}

/** Sends `type` and waits for any reply with its id, whatever its type (null on timeout). */
export function replyTo(c: WsClient, type: string, data?: unknown, ms = 5000): Promise<Msg | null> {
  return c.request(type, data, ms).catch(() => null);
}

/** Asserts a PERMISSION_DENIED reply that names `command`. */
export function expectDenied(m: Msg | null, command: string): void {
  expect({ command, type: m?.type, code: m?.data["code"] }).toEqual({
    command,
    type: "error",
    code: "PERMISSION_DENIED",
  });
  const named = String(m!.data["message"]).includes(command) || m!.data["command"] === command;
  expect(named ? "names it" : `${JSON.stringify(m!.data)} does not name ${command}`).toBe(
    "names it",
  );
}

/** Asserts a reply that is not PERMISSION_DENIED (the command got past the gate). */
export function expectNotDenied(m: Msg | null, command: string): void {
  expect({ command, replied: m !== null }).toEqual({ command, replied: true });
  expect({ command, code: m!.data["code"] ?? null }).not.toEqual({
    command,
    code: "PERMISSION_DENIED",
  });
}

/** Jumps in the seq numbers of the eeg_data in `msgs` (`[from, to]` pairs; empty = none). */
export function seqJumps(msgs: Msg[]): [number, number][] {
  const seqs = msgs.filter((m) => m.type === "eeg_data").map((m) => m.data["seq"] as number);
  const jumps: [number, number][] = [];
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i] !== seqs[i - 1]! + 1) jumps.push([seqs[i - 1]!, seqs[i]!]);
  }
  return jumps;
}

/** Writes an `--auth` file into a fresh temp dir; `cleanup` removes it. */
export function authFile(
  tokens: { token: string; role: string; name: string }[],
): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "mw75-auth-"));
  const path = join(dir, "tokens.json");
  writeFileSync(path, JSON.stringify({ tokens }));
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls /health until `clients` equals `n` (bounded); returns the last count. */
export async function waitClients(srv: ServerProcess, n: number, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  let count = -1;
  while (Date.now() < deadline) {
    const res = await fetch(`${srv.http}/health`);
    count = ((await res.json()) as Record<string, number>)["clients"] ?? -1;
    if (count === n) return count;
    await delay(100);
  }
  return count;
}
