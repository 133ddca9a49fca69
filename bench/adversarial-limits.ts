/** @module Adversarial defects 3 (deeply nested JSON), 4 (a 64 MiB frame) and 5 (clumsy `connect` data). */
import {
  type Ctx,
  health,
  lagMonitor,
  memory,
  num,
  type Outcome,
  scene,
  sleep,
} from "./adversarial-server.ts";
import { frame, type Msg, type RawWs } from "./adversarial-ws.ts";

/** What a reply was, in a few characters: `pong`, an error code, or the message type. */
function replyText(m: Msg | undefined | null): string {
  if (!m) return "none";
  if (m.type === "error") return String(m.data.code ?? "error");
  return m.type;
}

/** Messages after `from` that answer a request (not eeg_data, not status/log/heartbeat events). */
const replies = (c: RawWs, from: number): Msg[] =>
  c.msgs.slice(from).filter((m) => !["eeg_data", "status", "log", "heartbeat"].includes(m.type));

// --- 3: deeply nested JSON ---

// the report used 50,000 levels (300 KB); 30,000 (60 KB) stays under the 64 KiB message limit the
// fix adds, so the nesting guard itself is what answers after the fix
const DEPTH = 30_000;

/** Defect 3: five pings whose id is 30,000 arrays deep, while another client streams. */
export function nestedJson(ctx: Ctx): Promise<Outcome> {
  return scene(ctx, ["--max-clients", "2"], async (s) => {
    const a = await s.open();
    await a.request("connect", { auto_reconnect: false, log_level: "ERROR" });
    await a.waitFor((m) => m.type === "eeg_data", 5000);
    const x = await s.open();
    await sleep(300);
    const text = `{"type":"ping","id":${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}}`;
    const from = x.msgs.length;
    const lag = lagMonitor();
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) x.write(frame(0x1, text));
    const deadline = t0 + 10_000;
    while (performance.now() < deadline && replies(x, from).length < 5 && !x.isClosed) {
      await sleep(10);
    }
    const got = replies(x, from);
    const lastAt = got.at(-1)?.at ?? Number.NaN;
    await sleep(300);
    const t1 = performance.now();
    const ownLag = lag.stop();
    const stall = a.maxGap(t0, t1);
    const kinds = [...new Set(got.map(replyText))].join("/") || "none";
    const alive = s.server.exit === null && (await health(s.server.port)) !== null;
    const closed = x.isClosed ? `, attacker closed ${x.closeCode}` : "";
    return {
      lines: [
        `3  5 pings with a ${DEPTH}-deep id (${
          num(text.length / 1000)
        } KB each): replies ${got.length}/5 = ${kinds}` +
        `${closed}${
          got.length > 0 ? `, last after ${num(lastAt - t0)} ms` : ""
        }; streaming client's longest eeg gap ${num(stall)} ms (own lag ≤ ${num(ownLag)} ms); ` +
        `server ${alive ? "alive" : `NOT answering (${s.server.exit ?? "running"})`}`,
      ],
      cells: { "3 nested 30k: reply, other's stall": `${kinds}, ${num(stall)} ms` },
    };
  });
}

// --- 4: one 64 MiB frame ---

const BIG = 64 << 20;

/** Defect 4: a single 64 MiB text frame (a ping with a huge id). */
export function hugeFrame(ctx: Ctx): Promise<Outcome> {
  return scene(ctx, [], async (s) => {
    const x = await s.open();
    const rssBefore = (await memory(s.server.pid)).rss;
    const head = '{"type":"ping","id":"';
    const body = Buffer.alloc(BIG, "z");
    body.write(head, 0);
    body.write('"}', BIG - 2);
    const from = x.msgs.length;
    const t0 = performance.now();
    // header first: a server that refuses on the length can answer (close 1009) before the body
    // arrives, and its close frame is not lost to the RST that closing on unread data would cause
    const whole = frame(0x1, body);
    const headerLen = 14;
    x.write(whole.subarray(0, headerLen));
    await sleep(100);
    const refusedEarly = x.isClosed || replies(x, from).length > 0;
    const written = !refusedEarly && (await x.writeDrained(whole.subarray(headerLen), 30_000));
    const deadline = t0 + 30_000;
    while (performance.now() < deadline && replies(x, from).length === 0 && !x.isClosed) {
      await sleep(20);
    }
    if (!x.isClosed) await Promise.race([x.closed, sleep(1000)]);
    const reply = replies(x, from)[0];
    const mem = await memory(s.server.pid);
    const code = x.isClosed
      ? `${x.closeCode}${x.closeCode === 1006 && x.error ? ` (${x.error})` : ""}`
      : "open";
    const after = x.isClosed ? num(((x.closedAt ?? t0) - t0) / 1000, 1) : "-";
    const replyDesc = reply
      ? `${replyText(reply)} (${num(reply.size / (1 << 20), 1)} MiB)`
      : "none";
    return {
      lines: [
        `4  one 64 MiB text frame: ${
          refusedEarly
            ? "refused on its header"
            : written
            ? "fully written"
            : "write did not finish"
        }, attacker close code ${code} ` +
        `(after ${after} s), reply ${replyDesc}, RSS ${num(rssBefore)} → peak ${
          num(mem.peak)
        } MB (${num(mem.rss)} MB after)`,
      ],
      cells: {
        "4 64 MiB frame: close, reply, peak MB": `${code}, ${
          reply ? replyText(reply) : "no reply"
        }, ${num(mem.peak)} MB`,
      },
    };
  });
}

// --- 5: clumsy-client traps ---

/** Defect 5: `auto_reconnect: "false"` (a truthy string) and a `connect` whose data is a string. */
export function clumsyConnect(ctx: Ctx): Promise<Outcome> {
  return scene(ctx, [], async (s) => {
    const c = await s.open();
    const r1 = await c.request("connect", { auto_reconnect: "false", log_level: "ERROR" }, 2000);
    const st = await c.request("status", undefined, 2000);
    const autoReconnect = st?.data.auto_reconnect;
    if (st?.data.device_state !== "idle") {
      const mark = c.msgs.length;
      c.send({ id: "reset", type: "disconnect" });
      await c.waitFor((m) => m.type === "status" && m.data.state === "idle", 3000, mark);
    }
    await sleep(100);
    const from = c.msgs.length;
    c.write(frame(0x1, '{"id":"abc","type":"connect","data":"yes"}'));
    const r2 = await c.waitFor((m) => m.type === "error" || m.type === "command_ack", 2000, from);
    const r1Text = r1?.type === "command_ack"
      ? `command_ack (auto_reconnect ${JSON.stringify(r1.data.auto_reconnect)})`
      : replyText(r1);
    const echoed = r2 ? r2.id === "abc" : false;
    return {
      lines: [
        `5a connect {auto_reconnect:"false"}: reply ${r1Text}; status reply auto_reconnect ${
          JSON.stringify(autoReconnect)
        }`,
        `5b {"id":"abc","type":"connect","data":"yes"}: reply ${replyText(r2)}, id ${
          r2 ? JSON.stringify(r2.id) : "-"
        } ` +
        `(echoed: ${echoed ? "yes" : "no"})`,
      ],
      cells: {
        '5a auto_reconnect "false": reply, stored': `${replyText(r1)}, ${
          JSON.stringify(autoReconnect)
        }`,
        '5b data "yes": code, id echoed': `${replyText(r2)}, ${echoed ? "echoed" : "not echoed"}`,
      },
    };
  });
}
