/**
 * @module Adversarial defects of issue 18: item 8 (a huge `POST /markers` body) and item 9 (a 1 GiB
 * download, and one over 2 GiB), each while another client streams EEG.
 */
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Ctx, health, memory, num, type Outcome, scene, sleep } from "./adversarial-server.ts";
import type { RawWs } from "./adversarial-ws.ts";

/** What one raw HTTP exchange gave: status (0 = none), body bytes seen, when it ended. */
interface Exchange {
  status: number;
  /** Transfer-Encoding: chunked (then bodyBytes counts the chunk framing too). */
  chunked: boolean;
  bodyBytes: number;
  ms: number;
  error: string;
}

/**
 * Sends `head` then `bodyBytes` of "z" in 1 MiB writes (flow-controlled), and reads the answer,
 * counting body bytes without keeping them; bounded by `timeoutMs`.
 */
function rawExchange(
  port: number,
  head: string,
  bodyBytes: number,
  timeoutMs: number,
  chunked = false,
): Promise<Exchange> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect(port, "127.0.0.1");
    let status = 0;
    let headerDone = false;
    let headText = "";
    let bodySeen = 0;
    let error = "";
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status,
        chunked: /\r\ntransfer-encoding:\s*chunked/i.test(headText),
        bodyBytes: bodySeen,
        ms: performance.now() - t0,
        error,
      });
    };
    const timer = setTimeout(() => ((error ||= "timeout"), finish()), timeoutMs);
    socket.on("data", (d: Buffer) => {
      if (!headerDone) {
        headText += d.toString("latin1");
        const end = headText.indexOf("\r\n\r\n");
        if (end < 0) return;
        headerDone = true;
        status = Number(/^HTTP\/1\.1 (\d+)/.exec(headText)?.[1] ?? 0);
        bodySeen = headText.length - end - 4;
      } else {
        bodySeen += d.length;
      }
    });
    socket.on("error", (e) => (error ||= e.message));
    socket.on("close", finish);
    socket.once("connect", async () => {
      socket.write(head);
      const chunk = Buffer.alloc(1 << 20, "z");
      let sent = 0;
      while (sent < bodyBytes && !socket.destroyed && status === 0) {
        const n = Math.min(chunk.length, bodyBytes - sent);
        const piece = chunked
          ? Buffer.concat([
            Buffer.from(`${n.toString(16)}\r\n`),
            chunk.subarray(0, n),
            Buffer.from("\r\n"),
          ])
          : chunk.subarray(0, n);
        sent += n;
        if (!socket.write(piece)) {
          await new Promise<void>((r) => {
            const done = (): void => (socket.off("drain", done), socket.off("close", done), r());
            socket.on("drain", done).on("close", done);
          });
        }
      }
      if (chunked && !socket.destroyed) socket.write("0\r\n\r\n");
    });
  });
}

/** The streaming client: connects the headset and waits for data. */
async function streaming(open: () => Promise<RawWs>): Promise<RawWs> {
  const a = await open();
  await a.request("connect", { auto_reconnect: false, log_level: "ERROR" });
  await a.waitFor((m) => m.type === "eeg_data", 5000);
  return a;
}

const lostOf = async (port: number): Promise<number> =>
  Number((await health(port))?.packets?.["lost"] ?? Number.NaN);

// --- 8: a huge POST /markers body ---

/** Item 8: one 400 MB `POST /markers` body (100 MB with --quick), declared by Content-Length, then one sent chunked. */
export function hugeMarkerBody(ctx: Ctx): Promise<Outcome> {
  const size = (ctx.quick ? 100 : 400) * 1_000_000;
  return scene(ctx, [], async (s) => {
    const a = await streaming(() => s.open());
    const rss0 = (await memory(s.server.pid)).rss;
    const lost0 = await lostOf(s.server.port);
    const results: string[] = [];
    const cells: string[] = [];
    for (const chunked of [false, true]) {
      const t0 = performance.now();
      const head =
        `POST /markers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${size}\r\n\r\n`);
      const x = await rawExchange(s.server.port, head, size, 60_000, chunked);
      await sleep(500);
      const stall = a.maxGap(t0, performance.now());
      const alive = s.server.exit === null && (await health(s.server.port)) !== null;
      const how = chunked ? "chunked" : "Content-Length";
      results.push(
        `${how}: status ${x.status || "none"}${x.error ? ` (${x.error})` : ""} after ${
          num(x.ms)
        } ms, other client's longest eeg gap ${num(stall)} ms, ` +
          `server ${alive ? "alive" : `DOWN (${s.server.exit ?? "not answering"})`}`,
      );
      cells.push(`${how[0]}: ${x.status || "none"}, ${num(stall)} ms${alive ? "" : ", DOWN"}`);
      if (!alive) break;
    }
    const mem = await memory(s.server.pid);
    const lost = (await lostOf(s.server.port)) - lost0;
    return {
      lines: [
        `8  ${size / 1e6} MB POST /markers bodies: ${results.join("; ")}; RSS ${num(rss0)} → peak ${
          num(mem.peak)
        } MB (${num(mem.rss)} after); samples lost ${num(lost)}`,
      ],
      cells: {
        [`8 ${size / 1e6} MB marker body: status, stall; peak MB`]: `${cells.join("; ")}; ${
          num(mem.peak)
        } MB`,
      },
    };
  });
}

// --- 9: large downloads ---

/** A sparse file of `bytes` (holes read as zeros: the disk holds nothing, the server reads it all). */
function sparseFile(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  try {
    ftruncateSync(fd, bytes);
    writeSync(fd, "0", 0);
  } finally {
    closeSync(fd);
  }
}

/** Item 9: one 1 GiB download (256 MiB with --quick) while a client streams, then a 2.5 GiB one. */
export function largeDownload(ctx: Ctx): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-bench-dl-"));
  const size = ctx.quick ? 256 << 20 : 1 << 30;
  const huge = 2.5 * 2 ** 30;
  sparseFile(join(dir, "big.bdf"), size);
  sparseFile(join(dir, "huge.bdf"), huge);
  return scene(ctx, ["--recordings-dir", dir], async (s) => {
    const a = await streaming(() => s.open());
    const rss0 = (await memory(s.server.pid)).rss;
    const lost0 = await lostOf(s.server.port);
    const get = (name: string): string =>
      `GET /recordings/${name} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const t0 = performance.now();
    const one = await rawExchange(s.server.port, get("big.bdf"), 0, 120_000);
    await sleep(300);
    const stall = a.maxGap(t0, performance.now());
    const mem = await memory(s.server.pid);
    const lost = (await lostOf(s.server.port)) - lost0;
    const alive = s.server.exit === null && (await health(s.server.port)) !== null;
    let hugeText = "not tried (server down)";
    let hugeCell = "-";
    if (alive) {
      const t1 = performance.now();
      const h = await rawExchange(s.server.port, get("huge.bdf"), 0, 180_000);
      const hugeStall = a.maxGap(t1, performance.now());
      const complete = h.chunked ? h.bodyBytes >= huge : h.bodyBytes === huge;
      hugeText = `status ${h.status || "none"}, ${
        complete ? "complete" : `${num(h.bodyBytes / 2 ** 20)} MiB of ${huge / 2 ** 20}`
      } in ${num(h.ms)} ms, longest eeg gap ${num(hugeStall)} ms`;
      hugeCell = `${h.status || "none"}${complete ? " complete" : " incomplete"}, ${
        num(hugeStall)
      } ms`;
    }
    const peak2 = (await memory(s.server.pid)).peak;
    const mib = size / 2 ** 20;
    const got = (one.chunked ? one.bodyBytes >= size : one.bodyBytes === size)
      ? `complete${one.chunked ? " (chunked)" : ""}`
      : `${num(one.bodyBytes / 2 ** 20)} MiB`;
    return {
      lines: [
        `9a ${mib} MiB download: status ${one.status || "none"}${
          one.error ? ` (${one.error})` : ""
        }, ${got} in ${num(one.ms)} ms; other client's longest eeg gap ${num(stall)} ms; ` +
        `RSS ${num(rss0)} → peak ${num(mem.peak)} MB; samples lost ${num(lost)}`,
        `9b 2.5 GiB download: ${hugeText}; peak RSS over both ${num(peak2)} MB`,
      ],
      cells: {
        [`9a ${mib} MiB download: status, stall, peak MB`]: `${one.status || "none"}, ${
          num(stall)
        } ms, ${num(mem.peak)} MB`,
        "9b 2.5 GiB download: status, stall": hugeCell,
      },
    };
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
