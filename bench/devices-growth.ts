/** @module The growth table of the multi-device benchmark: CPU and RSS per device at each N, and what each step from one N to the next added per extra device. */
import type { RunResult } from "./devices-run.ts";
import type { Runtime } from "./server-harness.ts";

const fmt = (v: number, digits = 0): string =>
  v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (cores: number, digits = 1): string => `${fmt(cores * 100, digits)}%`;
const ratio = (a: number, b: number): string => `×${fmt(b / a, 1)}`;

const HEADERS = [
  "runtime",
  "N",
  "step",
  "devices",
  "CPU %core",
  "CPU/device",
  "+CPU/extra dev",
  "CPU",
  "RSS MB",
  "RSS/device",
  "+RSS/extra dev",
  "RSS",
];

/**
 * One row per run (early windows: the same seconds after start at every N). `step` is the previous N → this N;
 * "+…/extra dev" is (this − previous) / (N − previous N), the cost of one more device; the ratio columns are
 * this ÷ previous, next to the device count's ratio.
 */
export function growthRows(rs: RunResult[]): string[][] {
  return rs.map((r, i) => {
    const p = i > 0 ? rs[i - 1]! : null;
    const extra = p === null ? 0 : r.devices - p.devices;
    const w = r.early;
    return [
      r.runtime,
      String(r.devices),
      p === null ? "" : `${p.devices}→${r.devices}`,
      p === null ? "" : ratio(p.devices, r.devices),
      pct(w.serverCpu, 2),
      pct(w.serverCpu / r.devices, 3),
      p === null ? "" : pct((w.serverCpu - p.early.serverCpu) / extra, 3),
      p === null ? "" : ratio(p.early.serverCpu, w.serverCpu),
      fmt(w.rssMb, 1),
      `${fmt(w.rssMb / r.devices, 2)} MB`,
      p === null ? "" : `${fmt((w.rssMb - p.early.rssMb) / extra, 3)} MB`,
      p === null ? "" : ratio(p.early.rssMb, w.rssMb),
    ];
  });
}

/** Prints the growth table of every runtime with ≥ 1 run, and what filling the rings added. */
export function printGrowth(results: RunResult[], runtimes: Runtime[]): void {
  const rows = runtimes.flatMap((rt) => growthRows(results.filter((r) => r.runtime === rt)));
  if (rows.length === 0) return;
  console.log(
    "\ngrowth (early windows): per device = figure ÷ N; +…/extra dev = (figure − previous N's) ÷ (N − previous N); " +
      "CPU/RSS ratios = figure ÷ previous N's, devices = N ÷ previous N",
  );
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(HEADERS));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const x of rows) console.log(line(x));
  for (const rt of runtimes) {
    const rs = results.filter((r) => r.runtime === rt);
    const full = [...rs].reverse().find((r) => r.filled !== null);
    if (!full?.filled) continue;
    const grown = full.filled.rssMb - full.early.rssMb;
    console.log(
      `  ${rt} N=${full.devices}: the rings' filling added ${fmt(grown, 0)} MB (${
        fmt(grown / full.devices, 2)
      } MB per device) between ${fmt(full.early.toS)} s and ${fmt(full.filled.toS)} s; ` +
        `rings full: ${fmt(full.filled.rssMb / full.devices, 2)} MB and ${
          pct(full.filled.serverCpu / full.devices, 3)
        } of a core per device`,
    );
  }
}
