/** @module How the server benchmark reports: the figures of one runtime, number formats, the summary table (one column per runtime) and the targets met or not. */
import { BATCH_N, type BatchFootprint, type Fanout, type WireSize } from "./batch-scenarios.ts";
import type { Runtime } from "./server-harness.ts";
import type { Footprint, Latency, Throughput } from "./server-scenarios.ts";

/** Binary clients of the fan-out scenario (its rows name the count). */
export const FANOUT_CLIENTS = 100;

/** Everything measured on one runtime; null where the scenario failed. */
export interface Results {
  one: Throughput | null;
  ten: Throughput | null;
  lat: Latency | null;
  fp: Footprint | null;
  wire: WireSize | null;
  batch: BatchFootprint | null;
  floor: BatchFootprint | null;
  fan: Fanout | null;
}

/** `v` with exactly `digits` decimals and thousands separators. */
export const fmt = (v: number, digits = 0): string =>
  v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A share of one core as a percentage. */
export const pct = (cores: number): string => `${fmt(cores * 100, 2)}%`;
const verdict = (ok: boolean): string => (ok ? "met" : "NOT met");

/** One row per measure, one column per runtime; "—" where the scenario failed. */
export function printSummary(all: Map<Runtime, Results>): void {
  const rows: [string, (r: Results) => string | null][] = [
    ["eeg_data msgs/s, 1 client, unthrottled", (r) => r.one && fmt(r.one.total)],
    ["eeg_data msgs/s, 10 clients (total)", (r) => r.ten && fmt(r.ten.total)],
    ["latency p99, 500 Hz, 10 clients (ms)", (r) => r.lat && fmt(r.lat.p99, 3)],
    ["bytes/sample, eeg_data (mean)", (r) => r.wire && fmt(r.wire.jsonMean, 1)],
    [
      `bytes/sample, binary eeg_batch N=${BATCH_N}`,
      (r) => r.wire && fmt(r.wire.binaryPerSample, 2),
    ],
    ["bytes/sample ratio (eeg_data / binary)", (r) => r.wire && `${fmt(r.wire.ratio, 1)}×`],
    ["CPU 500 Hz, 1 eeg_data client", (r) => r.fp && pct(r.fp.cpuShare)],
    ["CPU 500 Hz, 1 binary client", (r) => r.batch && pct(r.batch.cpuShare)],
    ["CPU 500 Hz, no stream subscribed (floor)", (r) => r.floor && pct(r.floor.cpuShare)],
    ["RSS 500 Hz, 1 eeg_data client (MB)", (r) => r.fp && fmt(r.fp.rssMb, 1)],
    [`CPU 500 Hz, ${FANOUT_CLIENTS} binary clients`, (r) => r.fan && pct(r.fan.cpuShare)],
    [`RSS 500 Hz, ${FANOUT_CLIENTS} binary clients (MB)`, (r) => r.fan && fmt(r.fan.rssMb, 1)],
    [
      `${FANOUT_CLIENTS} clients: clients that lost anything`,
      (r) => r.fan && String(r.fan.lossyClients),
    ],
    [
      `${FANOUT_CLIENTS} clients: missing / duplicated samples`,
      (r) => r.fan && `${r.fan.missing} / ${r.fan.duplicated}`,
    ],
  ];
  const runtimes = [...all.keys()];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nsummary (one run each; medians only where a figure says so):`);
  console.log(`  ${"".padEnd(width)}  ${runtimes.map((r) => r.padStart(12)).join("")}`);
  for (const [label, cell] of rows) {
    console.log(
      `  ${label.padEnd(width)}  ${
        runtimes.map((r) => (cell(all.get(r)!) ?? "—").padStart(12)).join("")
      }`,
    );
  }
}

/** One line per target of `runtime`: the figure and whether the target is met. */
export function targetLines(runtime: Runtime, r: Results): string[] {
  const rt = runtime.padEnd(5);
  const forBun = runtime === "bun" ? "" : " (target is for Bun)";
  const line = (what: string, shown: string | null, ok: boolean | null): string =>
    `${rt} ${what}: ${
      shown === null || ok === null ? "not measured" : `${shown} — ${verdict(ok)}`
    }`;
  return [
    line(
      `≥ 200k msgs/s to one client${forBun}`,
      r.one && fmt(r.one.total),
      r.one && r.one.total >= 200_000,
    ),
    line(
      "p99 ≤ 1 ms (500 Hz, 10 clients)",
      r.lat && `${fmt(r.lat.p99, 3)} ms`,
      r.lat && r.lat.p99 <= 1,
    ),
    line(
      "≤ 1% of a core (500 Hz, 1 eeg_data client)",
      r.fp && pct(r.fp.cpuShare),
      r.fp && r.fp.cpuShare <= 0.01,
    ),
    line(
      "≤ 80 MB RSS (500 Hz, 1 client)",
      r.fp && `${fmt(r.fp.rssMb, 1)} MB`,
      r.fp && r.fp.rssMb <= 80,
    ),
    line(
      `≥ 10× fewer bytes per sample (binary N=${BATCH_N} vs eeg_data)`,
      r.wire && `${fmt(r.wire.ratio, 1)}×`,
      r.wire && r.wire.ratio >= 10,
    ),
    line(
      `≤ 1% of a core (500 Hz, 1 binary eeg_batch client)${forBun}`,
      r.batch && pct(r.batch.cpuShare),
      r.batch && r.batch.cpuShare <= 0.01,
    ),
    line(
      `all samples delivered (${FANOUT_CLIENTS} binary clients)`,
      r.fan &&
        `${r.fan.lossyClients} clients lost samples, ${r.fan.missing} missing, ${r.fan.duplicated} duplicated`,
      r.fan && r.fan.lossyClients === 0,
    ),
  ];
}
