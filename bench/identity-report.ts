/** @module The identity check's output: a SHA-256 per stream and file; two runs compared. */
import { createHash } from "node:crypto";
import type { StreamLog } from "./identity-reduce.ts";

/** The SHA-256 of a stream's units, each ended by a newline. */
export function digest(log: StreamLog): string {
  const h = createHash("sha256");
  for (const u of log.units) h.update(`${u}\n`);
  return h.digest("hex");
}

const pad = (s: string, n: number): string => s.padEnd(n);

/** One run's digests, one line per stream. */
export function printRun(title: string, logs: readonly StreamLog[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...logs.map((l) => l.name.length));
  for (const log of logs) {
    const count = `${log.samples} ${log.counts}`;
    console.log(`  ${pad(log.name, width)}  ${count.padStart(16)}  ${digest(log)}`);
  }
}

/** Where two unit lists first differ, or null. */
export function firstDifference(a: readonly string[], b: readonly string[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return null;
}

/** The unit's start (where its seq is) and the part around the first differing character. */
const clip = (s: string | undefined, at: number): string => {
  if (s === undefined) return "(none: the stream ended)";
  if (s.length <= 240) return s;
  const from = Math.max(0, at - 80);
  if (from <= 80) return `${s.slice(0, 240)}…`;
  return `${s.slice(0, 80)} … ${s.slice(from, from + 160)}…`;
};

function showDifference(name: string, a: readonly string[], b: readonly string[], i: number): void {
  const ua = a[i];
  const ub = b[i];
  let at = 0;
  while (ua !== undefined && ub !== undefined && ua[at] === ub[at]) at++;
  console.log(`  first difference in ${name}, unit ${i} (of ${a.length} / ${b.length}):`);
  console.log(`    A: ${clip(ua, at)}`);
  console.log(`    B: ${clip(ub, at)}`);
}

/** Prints the "same / DIFFERENT" table of two runs and each first difference; true if all same. */
export function compareRuns(
  labels: [string, string],
  a: readonly StreamLog[],
  b: readonly StreamLog[],
): boolean {
  console.log(`\nA = ${labels[0]}\nB = ${labels[1]}`);
  const names = [...new Set([...a.map((l) => l.name), ...b.map((l) => l.name)])];
  const width = Math.max(...names.map((n) => n.length));
  const diffs: Array<[string, number, StreamLog, StreamLog]> = [];
  for (const name of names) {
    const la = a.find((l) => l.name === name);
    const lb = b.find((l) => l.name === name);
    if (la === undefined || lb === undefined) {
      console.log(`  ${pad(name, width)}  DIFFERENT (only in ${la === undefined ? "B" : "A"})`);
      diffs.push([name, -1, la ?? lb!, lb ?? la!]);
      continue;
    }
    const at = firstDifference(la.units, lb.units);
    const counts = la.samples === lb.samples
      ? `${la.samples} ${la.counts}`
      : `${la.samples} / ${lb.samples} ${la.counts}`;
    console.log(`  ${pad(name, width)}  ${at === null ? "same     " : "DIFFERENT"}  ${counts}`);
    if (at !== null) diffs.push([name, at, la, lb]);
  }
  for (const [name, at, la, lb] of diffs) {
    if (at >= 0) showDifference(name, la.units, lb.units, at);
  }
  return diffs.length === 0;
}
