/** @module Adversarial defects 1 (connect then disconnect at once) and 2 (a client that never reads). */
import {
  type Ctx,
  health,
  lagMonitor,
  memory,
  num,
  type Outcome,
  type Scene,
  scene,
  sleep,
} from "./adversarial-server.ts";
import { frame, type Msg, type RawWs, textFrame } from "./adversarial-ws.ts";

// --- 1: connect immediately followed by disconnect ---

interface Try {
  /** C / D = the connect / disconnect reply, then every `status` event's state, in arrival order. */
  seq: string;
  /** eeg_data that arrived ≥ 100 ms after the disconnect's ack (in-flight ones excluded). */
  eegLate: number;
  told: string;
  reply: string;
  health: string;
  gapMs: number | null;
}

const TRY_WINDOW_MS = 300;

async function oneTry(s: Scene, c: RawWs, n: number, gapMs: number | null): Promise<Try> {
  const from = c.msgs.length;
  const connect = textFrame({
    id: `c${n}`,
    type: "connect",
    data: { auto_reconnect: false, log_level: "ERROR" },
  });
  const disconnect = textFrame({ id: `d${n}`, type: "disconnect" });
  if (gapMs === null) c.write(Buffer.concat([connect, disconnect]));
  else {
    c.write(connect);
    if (gapMs > 0) await sleep(gapMs);
    c.write(disconnect);
  }
  await sleep(TRY_WINDOW_MS);
  const seen = c.msgs.slice(from);
  const seq: string[] = [];
  let told = "?";
  let ackAt = Number.POSITIVE_INFINITY;
  for (const m of seen) {
    if (m.id === `c${n}`) seq.push(m.type === "error" ? `C!${m.data.code}` : "C");
    else if (m.id === `d${n}`) {
      seq.push(m.type === "error" ? `D!${m.data.code}` : "D");
      ackAt = m.at;
    } else if (m.type === "status") {
      seq.push(String(m.data.state));
      told = String(m.data.state);
    }
  }
  const eegLate = seen.filter((m) => m.type === "eeg_data" && m.at >= ackAt + 100).length;
  const reply = (await c.request("status", undefined, 2000))?.data.device_state ?? "no reply";
  const h = (await health(s.server.port))?.device_state ?? "no answer";
  if (reply !== "idle" || h !== "idle") {
    // put the device back to idle so that the next try starts from the same place
    const mark = c.msgs.length;
    c.send({ id: `r${n}`, type: "disconnect" });
    await c.waitFor((m) => m.type === "status" && m.data.state === "idle", 2000, mark);
  }
  await sleep(30);
  return { seq: seq.join(">"), eegLate, told, reply: String(reply), health: String(h), gapMs };
}

function summary(tries: Try[]): { line: string; cell: string } {
  const bad = tries.filter((t) => t.reply !== "idle" || t.eegLate > 0).length;
  const notIdle = tries.filter((t) => t.reply !== "idle").length;
  const flowing = tries.filter((t) => t.eegLate > 0).length;
  const mismatch = tries.filter((t) => t.told !== t.health || t.reply !== t.health).length;
  const counts = new Map<string, number>();
  for (const t of tries) counts.set(t.seq, (counts.get(t.seq) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${v}× ${k}`)
    .join(", ");
  const finals = [...new Set(tries.map((t) => `${t.told}/${t.reply}/${t.health}`))].join(" ");
  const badGaps = tries.filter((t) => t.gapMs !== null && (t.reply !== "idle" || t.eegLate > 0))
    .map((t) => `${t.gapMs} ms`);
  const gapNote = badGaps.length > 0
    ? ` (bad tries had gaps ${[...new Set(badGaps)].join(", ")})`
    : "";
  return {
    line:
      `${bad}/${tries.length} bad${gapNote} (final not idle ${notIdle}, eeg kept flowing ${flowing}), told≠/health ${mismatch}; ` +
      `told/reply/health seen: ${finals}; sequences: ${top}`,
    cell: `${bad}/${tries.length} bad, ${mismatch} mism.`,
  };
}

/** Defect 1: `connect` and `disconnect` in one TCP write, then with 0–5 ms between them. */
export function connectThenDisconnect(ctx: Ctx): Promise<Outcome> {
  return scene(ctx, [], async (s) => {
    const c = await s.open();
    const same: Try[] = [];
    for (let i = 0; i < 20; i++) same.push(await oneTry(s, c, i, null));
    const gaps: Try[] = [];
    for (let i = 0; i < 20; i++) gaps.push(await oneTry(s, c, 100 + i, i % 6));
    const a = summary(same);
    const b = summary(gaps);
    return {
      lines: [
        `1a connect+disconnect in one TCP write: ${a.line}`,
        `1b connect, 0–5 ms, disconnect: ${b.line}`,
      ],
      cells: {
        "1a same write: bad, told≠health": a.cell,
        "1b 0–5 ms gap: bad, told≠health": b.cell,
      },
    };
  });
}

// --- 2: a client that does not read ---

const MiB = 1 << 20;

/** Starts the device from a reading client A and waits for its first eeg_data. */
async function streamingClient(s: Scene): Promise<RawWs> {
  const a = await s.open();
  await a.request("connect", { auto_reconnect: false, log_level: "ERROR" });
  await a.waitFor((m) => m.type === "eeg_data", 5000);
  return a;
}

/** Polls /health until the server holds fewer than `clients` sockets; resolves with that time or null. */
function watchDrop(port: number, clients: number, until: () => boolean): Promise<number | null> {
  return (async () => {
    while (!until()) {
      const h = await health(port, 1000);
      if (h !== null && (h.clients ?? clients) < clients) return performance.now();
      await sleep(100);
    }
    return null;
  })();
}

interface Flood {
  sent: number;
  peak: number;
  rssBefore: number;
  rssAfter: number;
  dropMs: number | null;
  code: string;
  stall: number;
  /** This process's own worst timer lag meanwhile (part of `stall` if large). */
  ownLag: number;
  seconds: number;
}

/** Runs `attack` while B does not read, then reads B to learn how (and whether) it was closed. */
async function flood(
  s: Scene,
  a: RawWs,
  b: RawWs,
  attack: (deadline: number) => Promise<number>,
): Promise<Flood> {
  b.pause();
  await sleep(300);
  const rssBefore = (await memory(s.server.pid)).rss;
  let over = false;
  const lag = lagMonitor();
  const t0 = performance.now();
  const drop = watchDrop(s.server.port, 2, () => over);
  const sent = await attack(t0 + 20_000);
  // the server gets 2 s after the last write to act on the backlog
  const settle = performance.now() + 2000;
  while (performance.now() < settle && !b.isClosed) await sleep(50);
  over = true;
  const dropped = await drop;
  const t1 = performance.now();
  const ownLag = lag.stop();
  const mem = await memory(s.server.pid);
  b.resume();
  const code = await Promise.race([b.closed.then(String), sleep(5000).then(() => "not closed")]);
  return {
    sent,
    peak: mem.peak,
    rssBefore,
    rssAfter: mem.rss,
    dropMs: dropped === null ? null : dropped - t0,
    code: code === "1006" && b.error ? `1006 (${b.error})` : code,
    stall: a.maxGap(t0, t1),
    ownLag,
    seconds: (t1 - t0) / 1000,
  };
}

/** Writes `frame` up to `count` times, each after the previous one drained, until `deadline`. */
async function writeMany(
  c: RawWs,
  count: number,
  deadline: number,
  make: (i: number) => Buffer,
): Promise<number> {
  let sent = 0;
  for (; sent < count; sent++) {
    if (
      performance.now() > deadline ||
      !(await c.writeDrained(make(sent), deadline - performance.now()))
    ) break;
  }
  return sent;
}

// "dropped" = gone from /health `clients`; a server may still be waiting for B's close reply then
const dropText = (f: Flood): string =>
  f.dropMs === null
    ? "still in /health clients"
    : `left /health clients after ${num(f.dropMs / 1000, 1)} s`;

/** Defect 2: 400 pings with a 1 MiB id from a client that never reads; then 400 × 60 KiB broadcasts aimed at it. */
export async function nonReadingClient(ctx: Ctx): Promise<Outcome> {
  const ping = frame(0x1, `{"type":"ping","id":"${"x".repeat(MiB)}"}`);
  const pings = await scene(ctx, ["--max-clients", "2"], async (s) => {
    const a = await streamingClient(s);
    const b = await s.open();
    return flood(s, a, b, (deadline) => writeMany(b, 400, deadline, () => ping));
  });
  const blob = "y".repeat(60 * 1024);
  let acks = 0;
  let lastRecipients: unknown = "?";
  const casts = await scene(ctx, ["--max-clients", "2"], async (s) => {
    const a = await streamingClient(s);
    const b = await s.open();
    const from = a.msgs.length;
    const f = await flood(s, a, b, async (deadline) => {
      const n = await writeMany(
        a,
        400,
        deadline,
        (i) => textFrame({ id: `b${i}`, type: "broadcast", data: { blob } }),
      );
      const isAck = (m: Msg): boolean => m.type === "command_ack" && String(m.id).startsWith("b");
      while (performance.now() < deadline && a.msgs.slice(from).filter(isAck).length < n) {
        await sleep(20);
      }
      const mine = a.msgs.slice(from).filter(isAck);
      acks = mine.length;
      lastRecipients = mine.at(-1)?.data.recipients ?? "?";
      return n;
    });
    return f;
  });
  return {
    lines: [
      `2a 400 pings × 1 MiB id, B never reads: sent ${pings.sent}/400, RSS ${
        num(pings.rssBefore)
      } → peak ${num(pings.peak)} MB ` +
      `(${num(pings.rssAfter)} MB after), B ${
        dropText(pings)
      }, close code ${pings.code}; reading client A's longest eeg gap ` +
      `${num(pings.stall)} ms over ${num(pings.seconds, 1)} s (bench's own loop lag ≤ ${
        num(pings.ownLag)
      } ms)`,
      `2b A sends 400 broadcasts × 60 KiB to non-reading B: sent ${casts.sent}, acks ${acks} (last recipients ${lastRecipients}), ` +
      `RSS ${num(casts.rssBefore)} → peak ${num(casts.peak)} MB (${
        num(casts.rssAfter)
      } MB after), B ${dropText(casts)}, ` +
      `close code ${casts.code}; A's longest eeg gap ${num(casts.stall)} ms over ${
        num(casts.seconds, 1)
      } s (own lag ≤ ${num(casts.ownLag)} ms)`,
    ],
    cells: {
      "2a 1 MiB pings: peak MB, B close, A stall": `${num(pings.peak)} MB, ${pings.code}, ${
        num(pings.stall)
      } ms`,
      "2b 60 KiB broadcasts: peak MB, B close, A stall": `${num(casts.peak)} MB, ${casts.code}, ${
        num(casts.stall)
      } ms`,
    },
  };
}
