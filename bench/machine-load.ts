/** @module The machine's load for benchmark reports: other processes' CPU shows in every CPU figure, so each report states it. */
import { readFileSync } from "node:fs";

/** The 1-, 5- and 15-minute load averages and the core count, e.g. "0.31 0.52 0.60 (2 cores)". */
export function loadAverage(): string {
  try {
    const [one, five, fifteen] = readFileSync("/proc/loadavg", "utf8").split(" ");
    return `${one} ${five} ${fifteen} (${cores()} cores)`;
  } catch {
    return "(load average not available)";
  }
}

function cores(): number {
  try {
    return readFileSync("/proc/cpuinfo", "utf8").split("\n").filter((l) =>
      l.startsWith("processor")
    )
      .length;
  } catch {
    return Number.NaN;
  }
}
