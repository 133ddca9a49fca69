/** @module The LSL benchmark's tables, ratios to the issue-21 targets and PASS/FAIL lines. */
import {
  complete,
  cost,
  type CpuSet,
  type Delivery,
  IN_FLIGHT_SAMPLES,
  noise,
  spread,
} from "./lsl-cpu.ts";
import { type MarkerRun, MARKERS } from "./lsl-markers.ts";
import { median, type Runtime } from "./server-harness.ts";

/** What bench/lsl-latency-child.ts printed. */
export interface LatencyRun {
  runtime: Runtime;
  latencyMs: number[];
  pushed: number;
  received: number;
  problems: string[];
}

/** Issue 21's targets. */
const TARGET = { outletCores: 0.003, p99Ms: 20, markerMs: 2 };

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : "—");
const pct = (cores: number, digits = 2): string =>
  Number.isFinite(cores) ? `${(cores * 100).toFixed(digits)}%` : "—";

function table(title: string, headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\n${title}`);
  console.log(line(headers));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

const delivery = (d: Delivery | undefined): string =>
  d === undefined
    ? "—"
    : `${complete(d) ? "ok" : "INCOMPLETE"} (min ${
      Math.min(...d.received)
    }/${d.pushed}, drop ${d.dropped}, miss ${d.missing}, lost ${d.lost})`;

export function printReport(
  runtimes: Runtime[],
  cpu: CpuSet[],
  latency: LatencyRun[],
  markers: MarkerRun[],
): void {
  table(
    "1. CPU of one device's outlets (server CPU, % of a core, medians over the sub-windows)",
    [
      "runtime",
      "no LSL A / B",
      "noise",
      "0 cons.",
      "1 cons.",
      "10 cons.",
      "cost 0",
      "cost 1",
      "cost 10",
      "cost 1 / 0.3%",
      "delivery 1",
      "delivery 10",
    ],
    runtimes.map((rt) => {
      const c = cpu.find((x) => x.runtime === rt);
      const one = c ? cost(c, c.one) : Number.NaN;
      return [
        rt,
        c ? `${pct(median(c.baseA))} / ${pct(median(c.baseB))}` : "—",
        c ? pct(noise(c)) : "—",
        pct(c ? median(c.none) : Number.NaN),
        pct(c ? median(c.one) : Number.NaN),
        pct(c ? median(c.ten) : Number.NaN),
        pct(c ? cost(c, c.none) : Number.NaN),
        pct(one),
        pct(c ? cost(c, c.ten) : Number.NaN),
        `×${f(one / TARGET.outletCores)}`,
        delivery(c?.deliveryOne),
        delivery(c?.deliveryTen),
      ];
    }),
  );
  table(
    "2. latency push → consumer, ms (target p99 ≤ 20 ms)",
    [
      "runtime",
      "in-proc p50",
      "p99",
      "max",
      "chunks",
      "recv/pushed",
      "e2e p50",
      "p99",
      "max",
      "batches",
      "p99 / 20",
    ],
    runtimes.map((rt) => {
      const l = latency.find((x) => x.runtime === rt);
      const s = spread(l?.latencyMs ?? []);
      const e = spread(cpu.find((x) => x.runtime === rt)?.latencyMs ?? []);
      return [
        rt,
        f(s.p50),
        f(s.p99),
        f(s.max),
        String(s.n),
        l ? `${l.received}/${l.pushed}` : "—",
        f(e.p50),
        f(e.p99),
        f(e.max),
        String(e.n),
        `×${f(s.p99 / TARGET.p99Ms)} / ×${f(e.p99 / TARGET.p99Ms)}`,
      ];
    }),
  );
  table(
    "3. marker inlet time error, ms (received on the bridge's marker outlet − pushed; target ≤ 2 ms)",
    [
      "runtime",
      "back",
      "median |err|",
      "max |err|",
      "median signed",
      "correction ms",
      "max / 2 ms",
    ],
    runtimes.map((rt) => {
      const m = markers.find((x) => x.runtime === rt);
      const abs = (m?.errorsMs ?? []).map(Math.abs);
      const max = abs.length ? Math.max(...abs) : Number.NaN;
      return [
        rt,
        m ? `${m.errorsMs.length}/${m.sent}` : "—",
        f(abs.length ? median(abs) : Number.NaN, 3),
        f(max, 3),
        f(m?.errorsMs.length ? median(m.errorsMs) : Number.NaN, 3),
        m?.correctionMs === null || m === undefined ? "—" : f(m.correctionMs, 3),
        `×${f(max / TARGET.markerMs)}`,
      ];
    }),
  );
  console.log(
    "\nnotes: CPU = Δ schedstat of all server threads / wall. Five `serve --autoconnect` (simulator, 500 Hz) run side by " +
      "side and are measured over the same sub-windows: two without LSL (A, B; noise = median |A − B|) and three with " +
      "`--lsl` (one EEG outlet read by 0, 1 or 10 consumers, one idle marker outlet); cost = median over sub-windows of " +
      "CPU(with LSL) − mean(A, B). Consumers are feed readers in this process. " +
      `delivery ok = /health dropped 0, no timestamp holes, and each consumer's count over the window within ${IN_FLIGHT_SAMPLES} ` +
      "samples (in flight) of Δ samples_pushed. in-proc = outlet and feed reader in one child process of the runtime, " +
      "10-sample chunks every 20 ms stamped at push: arrival − push of each chunk's last sample. e2e = through `serve`, " +
      "consumer 1 of the 1-consumer run: arrival − LSL timestamp of the newest sample of each batch read; that timestamp " +
      "is the sample clock (≈ when the sample's chunk arrived), so e2e includes the simulator's 10-ms chunking (0–12 ms). " +
      "Markers: pushed from this process's outlet stamped at push, read back from the bridge's `<name>_Markers` outlet; " +
      "both clocks are CLOCK_MONOTONIC (Deno runs with --allow-ffi), so the error is the time correction's error.",
  );
  console.log("\ntargets (informative):");
  const verdict = (ok: boolean): string => (ok ? "PASS" : "FAIL");
  for (const rt of runtimes) {
    const c = cpu.find((x) => x.runtime === rt);
    const one = c ? cost(c, c.one) : Number.NaN;
    const judged = rt === "bun" ? "" : " (target set for Bun; informative)";
    console.log(
      `  ${verdict(one <= TARGET.outletCores)} ${rt}: outlet cost with 1 consumer ${
        pct(one)
      } ≤ 0.30% of a core (noise floor ${c ? pct(noise(c)) : "—"})${judged}`,
    );
    for (const d of c ? [c.deliveryOne, c.deliveryTen] : []) {
      console.log(
        `  ${verdict(complete(d))} ${rt}: each of ${d.consumers} consumer(s) received every sample`,
      );
    }
    const l = spread(latency.find((x) => x.runtime === rt)?.latencyMs ?? []);
    console.log(
      `  ${verdict(l.p99 <= TARGET.p99Ms)} ${rt}: in-process latency p99 ${f(l.p99)} ms ≤ 20 ms`,
    );
    const e = spread(c?.latencyMs ?? []);
    console.log(
      `  ${verdict(e.p99 <= TARGET.p99Ms)} ${rt}: end-to-end latency p99 ${f(e.p99)} ms ≤ 20 ms`,
    );
    const m = markers.find((x) => x.runtime === rt);
    const abs = (m?.errorsMs ?? []).map(Math.abs);
    const max = abs.length ? Math.max(...abs) : Number.NaN;
    const all = m !== undefined && m.errorsMs.length === MARKERS;
    console.log(
      `  ${verdict(all && max <= TARGET.markerMs)} ${rt}: marker time error max ${
        f(max, 3)
      } ms ≤ 2 ms` +
        ` (${m?.errorsMs.length ?? 0}/${MARKERS} markers back)`,
    );
  }
}
