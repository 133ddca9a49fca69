/** @module Adversarial defects 6 (half-sent HTTP requests) and 7 (`--capture` across auto-reconnects, replayed). */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Ctx,
  health,
  num,
  type Outcome,
  scene,
  sleep,
  startServer,
} from "./adversarial-server.ts";
import { RawWs } from "./adversarial-ws.ts";

// --- 6: half-sent HTTP requests ---

const HALF_REQUESTS = 200;

interface Half {
  socket: Socket;
  closedAt: number | null;
  /** First bytes the server wrote back (a 408/400 before closing, say). */
  answer: string;
}

function openHalf(port: number): Promise<Half> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    const h: Half = { socket, closedAt: null, answer: "" };
    const done = (): void => void (h.closedAt ??= performance.now());
    socket.on(
      "data",
      (d: Buffer) => void (h.answer ||= d.toString("latin1").split("\r\n")[0] ?? ""),
    );
    socket.on("end", done);
    socket.on("close", done);
    socket.on("error", done);
    const timer = setTimeout(() => resolve(h), 3000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      resolve(h);
    });
  });
}

/** Can a normal client still open a WebSocket and get its welcome `status`? "ok 12ms" or why not. */
async function probe(port: number): Promise<string> {
  const t0 = performance.now();
  let c: RawWs | null = null;
  try {
    c = await RawWs.open(port, "/", 3000);
    const welcome = await c.waitFor(() => true, 2000);
    if (welcome?.type !== "status") return `no welcome (${welcome ? welcome.type : "nothing"})`;
    return `ok ${num(performance.now() - t0)} ms`;
  } catch (e) {
    return `FAILED (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    c?.destroy();
  }
}

/** Defect 6: 200 connections that send a request line and one header, then nothing. */
export function halfSentRequests(ctx: Ctx): Promise<Outcome> {
  // --max-clients 4: the probes follow each other quickly, the single-client rule must not reject them
  return scene(ctx, ["--max-clients", "4"], async (s) => {
    const halves: Half[] = [];
    try {
      const t0 = performance.now();
      halves.push(
        ...(await Promise.all(
          Array.from({ length: HALF_REQUESTS }, () => openHalf(s.server.port)),
        )),
      );
      const at = (sec: number): Promise<void> =>
        sleep(Math.max(0, t0 + sec * 1000 - performance.now()));
      const probeTimes = ctx.quick ? [2, 8, 13] : [2, 8, 13, 30, 42];
      const probes = probeTimes.map((sec) =>
        at(sec).then(() => probe(s.server.port)).then((r) => `${sec}s ${r}`)
      );
      const checks = ctx.quick ? [5, 12, 15] : [5, 12, 45];
      const closed: string[] = [];
      for (const sec of checks) {
        await at(sec);
        closed.push(`${halves.filter((h) => h.closedAt !== null).length}@${sec}s`);
      }
      const probed = await Promise.all(probes);
      const answers = [
        ...new Set(
          halves.map((h) => h.answer).filter((a) => a !== ""),
        ),
      ].join(" | ") || "nothing";
      const closes = halves.map((h) => h.closedAt).filter((t): t is number => t !== null).map((t) =>
        (t - t0) / 1000
      );
      const span = closes.length === 0
        ? "none closed"
        : `closed at ${num(Math.min(...closes), 1)}–${num(Math.max(...closes), 1)} s`;
      const okProbes = probed.filter((p) => / ok /.test(p)).length;
      return {
        lines: [
          `6  ${HALF_REQUESTS} half-sent requests: closed by server ${
            closed.join(", ")
          } (${span}), server wrote: ${answers}; ` +
          `WebSocket probes: ${probed.join("; ")}`,
        ],
        cells: {
          [`6 half requests: closed at ${checks.join("/")} s, probes ok`]: `${
            closed.map((c) => c.split("@")[0]).join("/")
          } (${span}), ${okProbes}/${probed.length}`,
        },
      };
    } finally {
      for (const h of halves) h.socket.destroy();
    }
  });
}

// --- 7: --capture across reconnects, replayed ---

/** Defect 7: capture a stream with three auto-reconnects, then replay the capture and count what decodes. */
export async function captureAcrossReconnects(ctx: Ctx): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), "mw75-adv-"));
  const file = join(dir, "capture.bin");
  try {
    const live = await liveCapture(ctx, file);
    const size = await stat(file).then((st) => st.size, () => 0);
    const replay = await scene(ctx, ["--source", `replay:${file}`, "--speed", "0"], async (s) => {
      const c = await s.open();
      const from = c.msgs.length;
      await c.request("connect", { auto_reconnect: false, log_level: "ERROR" });
      const end = await c.waitFor(
        (m) => m.type === "status" && m.data.state === "disconnected",
        20_000,
        from,
      );
      await sleep(200);
      const p = (await health(s.server.port))?.packets ?? {};
      return { ended: end !== null, p, eeg: c.eegTimes().length };
    });
    const p = replay.p as Record<string, number>;
    return {
      lines: [
        `7  capture with ${live.reconnects} auto-reconnects: live client got ${live.eeg} eeg_data, capture ${size} bytes ` +
        `(${num(size / 63, 1)} packets' worth), server ${live.exit}; replay ${
          replay.ended ? "ended" : "did NOT end in 20 s"
        }: ` +
        `valid ${p.valid}, checksum_failures ${p.checksum_failures}, lost ${p.lost}, duplicates ${p.duplicates}, ` +
        `replay client got ${replay.eeg} eeg_data`,
      ],
      cells: {
        "7 replay valid/cksum/lost vs live eeg":
          `${p.valid}/${p.checksum_failures}/${p.lost} vs ${live.eeg}`,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function liveCapture(
  ctx: Ctx,
  file: string,
): Promise<{ reconnects: number; eeg: number; exit: string }> {
  const args = ["--capture", file, "--sim-link-loss-ms", "400", "--reconnect-base-ms", "50"];
  const server = await startServer(ctx.runtime, ctx.root, args);
  let c: RawWs | null = null;
  try {
    c = await RawWs.open(server.port);
    await c.request("connect", { auto_reconnect: true, log_level: "ERROR" });
    const successes = (): number =>
      c!.msgs.filter((m) =>
        m.type === "status" && /Auto-reconnect successful/.test(String(m.data.message))
      ).length;
    const deadline = performance.now() + 15_000;
    while (successes() < 3 && performance.now() < deadline) await sleep(20);
    const reconnects = successes();
    const mark = c.msgs.length;
    await c.request("disconnect");
    await c.waitFor((m) => m.type === "status" && m.data.state === "idle", 3000, mark);
    await sleep(100);
    const eeg = c.eegTimes().length;
    // SIGINT is the documented clean shutdown, which is what flushes and closes the capture file
    const exit = await server.stop("SIGINT", 6000);
    return { reconnects, eeg, exit: `SIGINT → ${exit}` };
  } finally {
    c?.destroy();
    await server.stop("SIGKILL");
  }
}
