/** @module The metrics benchmark's table: CPU per device of the metrics stream, its ratio to issue 22's target, and the message rates that show the stream ran. */
import { expectedRate } from "./metrics-clients.ts";
import { type BridgeResult, paceProblems, type SetResult } from "./metrics-run.ts";
import { median, type Runtime } from "./server-harness.ts";

/** Issue 22: ≤ 0.5 % of a core per device at 10 Hz on Bun. */
export const TARGET_CORES_PER_DEVICE = 0.005;

/** A subscribed bridge of a set, with the figures the table prints. */
export interface Row {
  runtime: Runtime;
  scenario: string;
  bridge: BridgeResult;
  /** Median over sub-windows of CPU − mean of the baselines, cores, for the whole bridge. */
  cost: number;
  /** Median over sub-windows of |baseline A − baseline B|, cores. */
  noise: number;
  baseA: number;
  baseB: number;
  clientCpu: number;
}

/** One row per subscribed bridge of each set. */
export function rows(sets: SetResult[]): Row[] {
  return sets.flatMap((s) => {
    const [a, b] = s.bridges.filter((x) => x.spec.sub === null);
    if (a === undefined || b === undefined) throw new Error("a set needs two baselines");
    const base = (i: number): number => (a.cpu[i]! + b.cpu[i]!) / 2;
    return s.bridges.filter((x) => x.spec.sub !== null).map((x) => ({
      runtime: s.runtime,
      scenario: x.spec.label,
      bridge: x,
      cost: median(x.cpu.map((v, i) => v - base(i))),
      noise: median(a.cpu.map((v, i) => Math.abs(v - b.cpu[i]!))),
      baseA: median(a.cpu),
      baseB: median(b.cpu),
      clientCpu: s.clientCpu,
    }));
  });
}

const pct = (cores: number, digits = 2): string =>
  Number.isFinite(cores) ? `${(cores * 100).toFixed(digits)}%` : "—";
const f = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : "—");

const HEADERS = [
  "runtime",
  "scenario",
  "base A / B",
  "noise",
  "with",
  "cost",
  "CPU/device",
  "noise/device",
  "/ 0.5%",
  "msgs/s/device (want)",
  "min–max",
  "stream",
  "client CPU",
];

function cells(r: Row): string[] {
  const { bridge: b } = r;
  const n = b.spec.devices;
  const want = expectedRate(b.spec.sub!);
  const problems = paceProblems(b);
  const status = problems.length === 0 ? "ok" : `OFF: ${problems.join(", ")}`;
  return [
    r.runtime,
    r.scenario,
    `${pct(r.baseA, 1)} / ${pct(r.baseB, 1)}`,
    pct(r.noise),
    pct(median(b.cpu), 1),
    pct(r.cost),
    pct(r.cost / n, 3),
    pct(r.noise / n, 3),
    `×${f(r.cost / n / TARGET_CORES_PER_DEVICE, 2)}`,
    `${f(b.rate, 2)} (${f(want, 2)})`,
    `${f(b.minRate, 2)}–${f(b.maxRate, 2)}`,
    status,
    pct(r.clientCpu, 1),
  ];
}

export function printTable(all: Row[]): void {
  const body = all.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
  console.log(`\n${line(HEADERS)}`);
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of body) console.log(line(c));
}

/** The target line: judged for Bun at 10 Hz, the other rows' ratios are informative. */
export function printTargets(all: Row[]): void {
  console.log("\ntarget (issue 22): ≤ 0.50% of a core per device at 10 Hz on Bun");
  for (const r of all.filter((x) => x.runtime === "bun" && x.bridge.spec.sub?.intervalMs === 100)) {
    const perDevice = r.cost / r.bridge.spec.devices;
    console.log(
      `  ${perDevice <= TARGET_CORES_PER_DEVICE ? "met" : "NOT met"}: bun ${r.scenario} ${
        pct(perDevice, 3)
      } per device (×${f(perDevice / TARGET_CORES_PER_DEVICE, 2)}; noise floor ${
        pct(r.noise / r.bridge.spec.devices, 3)
      } per device)`,
    );
  }
  const off = all.filter((r) => paceProblems(r.bridge).length > 0);
  for (const r of off) {
    console.log(`  stream NOT on pace: ${r.runtime} ${r.scenario} (see the table)`);
  }
}
