/**
 * @module Adversarial bench for issue 18 item 10, run as `node_modules/.bin/bun bench/adversarial-resume.ts
 * [--root DIR] [--runtimes bun,deno,node] [--attackers 1,3] [--fill-s 20] [--attack-s 5]`: anonymous clients
 * re-subscribe `eeg_batch` with `since_seq: 0` at 100/s while a bystander's batches are timed and counted.
 */
import { execSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Ctx,
  health,
  lagMonitor,
  num,
  type Runtime,
  scene,
  sleep,
} from "./adversarial-server.ts";
import type { Msg, RawWs } from "./adversarial-ws.ts";
import { cpuSeconds } from "./server-harness.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const ROOT = resolve(flag("--root", fileURLToPath(new URL("..", import.meta.url))));
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",").filter(Boolean) as Runtime[];
const ATTACKERS = flag("--attackers", "1,3").split(",").map(Number);
const FILL_S = Number(flag("--fill-s", "20"));
const ATTACK_S = Number(flag("--attack-s", "5"));
const RESUBSCRIBES_PER_S = 100;

/** What one attack did to the bystander. */
interface Figures {
  maxGapMs: number;
  lost: number;
  duplicates: number;
  linkLost: number;
  benchLagMs: number;
  /** What all attackers together were sent, per second of attack. */
  receivedMbPerS: number;
  /** Server CPU seconds per second of attack (1 = one core). */
  serverCpu: number;
}

/** The bystander's batches in [t0, t1]: longest silence (edges count), seqs missing and seqs seen twice. */
function bystanderFigures(
  msgs: Msg[],
  t0: number,
  t1: number,
): { maxGapMs: number; lost: number; duplicates: number } {
  let prevAt = t0;
  let maxGapMs = 0;
  let next: number | null = null;
  let lost = 0;
  let duplicates = 0;
  for (const m of msgs) {
    if (m.type !== "eeg_batch") continue;
    const first = m.data["first_seq"] as number;
    const count = m.data["count"] as number;
    if (m.at >= t0 && m.at <= t1) {
      maxGapMs = Math.max(maxGapMs, m.at - prevAt);
      prevAt = m.at;
      if (next !== null && first > next) lost += first - next;
      if (next !== null && first < next) duplicates += next - first;
    }
    next = first + count;
  }
  return { maxGapMs: Math.max(maxGapMs, t1 - prevAt), lost, duplicates };
}

/** Makes an attacker cheap for this process: it reads what it is sent, counting bytes, but never parses it. */
function discardIncoming(c: RawWs, count: (n: number) => void): void {
  c.socket.removeAllListeners("data");
  c.socket.on("data", (chunk: Buffer) => count(chunk.length));
}

async function attack(ctx: Ctx, attackers: number): Promise<Figures> {
  return await scene(ctx, ["--max-clients", String(attackers + 1)], async (s) => {
    const bystander = await s.open();
    await bystander.request("unsubscribe", { stream: "eeg" });
    await bystander.request("subscribe", { stream: "eeg_batch", num_samples: 10 });
    const connected = await bystander.request("connect", {}, 10_000);
    if (connected === null || connected.type === "error") {
      throw new Error(`connect failed: ${connected?.head ?? "no reply"}`);
    }
    const clients: RawWs[] = [];
    let received = 0;
    for (let k = 0; k < attackers; k++) {
      const c = await s.open();
      await c.request("unsubscribe", { stream: "eeg" });
      discardIncoming(c, (n) => (received += n));
      clients.push(c);
    }
    await sleep(FILL_S * 1000); // the ring fills: the longer it is, the dearer each replay was
    const lostBefore = (await health(s.server.port))?.packets?.["lost"] ?? Number.NaN;
    const lag = lagMonitor();
    const cpu0 = await cpuSeconds(s.server.pid);
    const received0 = received;
    const t0 = performance.now();
    let sent = 0;
    // each attacker keeps to 100 subscribes per second of elapsed time, whatever this process's timer lag
    while (performance.now() - t0 < ATTACK_S * 1000) {
      const due = Math.floor(((performance.now() - t0) / 1000) * RESUBSCRIBES_PER_S);
      for (; sent < due; sent++) {
        for (const c of clients) {
          c.send({
            id: `r${sent}`,
            type: "subscribe",
            data: { stream: "eeg_batch", since_seq: 0 },
          });
        }
      }
      await sleep(5);
    }
    const t1 = performance.now();
    const receivedMbPerS = (received - received0) / 1e6 / ((t1 - t0) / 1000);
    const serverCpu = ((await cpuSeconds(s.server.pid)) - cpu0) / ((t1 - t0) / 1000);
    const benchLagMs = lag.stop();
    await sleep(500); // batches already in flight at t1 still count toward exactly-once
    const lostAfter = (await health(s.server.port, 5000))?.packets?.["lost"] ?? Number.NaN;
    const f = bystanderFigures(bystander.msgs, t0, t1);
    return { ...f, linkLost: lostAfter - lostBefore, benchLagMs, receivedMbPerS, serverCpu };
  });
}

async function main(): Promise<void> {
  let rev = "";
  try {
    rev = execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim();
    if (execSync("git status --porcelain -- src", { cwd: ROOT, encoding: "utf8" }).trim()) {
      rev += " + uncommitted src/";
    }
  } catch {
    rev = "not a git checkout";
  }
  const uptime = (() => {
    try {
      return execSync("uptime", { encoding: "utf8" }).trim();
    } catch {
      return "?";
    }
  })();
  console.log(`uptime: ${uptime}`);
  console.log(
    `resume flood bench: server from ${ROOT} (${rev}); ring filled ${FILL_S} s, attack ${ATTACK_S} s at ${RESUBSCRIBES_PER_S}/s per attacker`,
  );
  console.log(
    `\n| runtime | attackers | bystander max gap ms | bystander lost | bystander dup | link lost (/health) | attackers got MB/s | server CPU (cores) | bench lag ms |`,
  );
  console.log(`|---|---|---|---|---|---|---|---|---|`);
  for (const runtime of RUNTIMES) {
    for (const n of ATTACKERS) {
      try {
        const f = await attack({ runtime, root: ROOT, quick: false }, n);
        console.log(
          `| ${runtime} | ${n} | ${num(f.maxGapMs)} | ${f.lost} | ${f.duplicates} | ${
            num(f.linkLost)
          } | ${num(f.receivedMbPerS, 1)} | ${num(f.serverCpu, 2)} | ${num(f.benchLagMs)} |`,
        );
      } catch (e) {
        console.log(
          `| ${runtime} | ${n} | not measured: ${
            (e instanceof Error ? e.message : String(e)).slice(0, 200)
          } | | | | | | |`,
        );
      }
    }
  }
  console.log(
    "\nmax gap = longest time between two of the bystander's eeg_batch arrivals (10 samples = 20 ms each) in the attack window, edges included; lost = seqs missing between its batches.",
  );
}

await main();
process.exit(0);
