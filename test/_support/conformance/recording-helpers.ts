/**
 * @module Shared pieces of the recording scenarios (docs/protocol/bridge-api.md §4): a problem collector (so one run
 * reports every deviation, not just the first), temporary directories and their snapshots, bounded
 * waits and a few file parsers.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Msg, WsClient } from "../ws-client.ts";
import type { Data } from "./stream-helpers.ts";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Ch1…Ch12, REF, DRL: the signal order of our BDF/EDF files, the metadata and the CSV. */
export const SIGNALS = [...Array.from({ length: 12 }, (_, i) => `Ch${i + 1}`), "REF", "DRL"];

// --- problems ---

/**
 * Collects deviations by kind (at most 4 examples each, all counted) and fails once at the end,
 * so a scenario shows every broken promise of the contract in one run.
 */
export class Problems {
  #kinds = new Map<string, { count: number; examples: string[] }>();
  #notes: string[] = [];
  constructor(readonly scenario: string) {}

  /** Records a problem of `kind` unless `ok`; returns `ok`. */
  check(ok: boolean, kind: string, detail: string | (() => string) = ""): boolean {
    if (ok) return true;
    const entry = this.#kinds.get(kind) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 4) {
      entry.examples.push(typeof detail === "string" ? detail : detail());
    }
    this.#kinds.set(kind, entry);
    return false;
  }

  /** Strict equality of JSON values. */
  equal(got: unknown, want: unknown, kind: string): boolean {
    return this.check(
      JSON.stringify(got) === JSON.stringify(want),
      kind,
      () =>
        `got ${JSON.stringify(got)?.slice(0, 300)}, want ${JSON.stringify(want)?.slice(0, 300)}`,
    );
  }

  near(got: number, want: number, tolerance: number, kind: string, where = ""): boolean {
    return this.check(
      Math.abs(got - want) <= tolerance,
      kind,
      () => `${where}got ${got}, want ${want} ± ${tolerance}`,
    );
  }

  /** An observation worth reporting that does not fail the scenario (printed at the end). */
  note(text: string): void {
    this.#notes.push(text);
  }

  get count(): number {
    return this.#kinds.size;
  }

  /** Throws with every kind of problem seen (nothing when there was none). */
  assertNone(): void {
    for (const n of this.#notes) console.log(`note (${this.scenario}): ${n}`);
    if (this.#kinds.size === 0) return;
    const lines = [...this.#kinds].map(([kind, e]) =>
      `- ${kind} (${e.count}×)${e.examples.length ? `: ${e.examples.join(" | ")}` : ""}`
    );
    throw new Error(
      `${this.scenario}: ${this.#kinds.size} kind(s) of problem\n${lines.join("\n")}`,
    );
  }
}

// --- directories ---

const leftOver = new Set<string>();
process.once("exit", () => {
  for (const dir of leftOver) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed by the returned function (else at process exit). */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  leftOver.add(dir);
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    leftOver.delete(dir);
  };
  return { dir, remove };
}

/** Name → bytes of every file in `dir` ("absent" when the directory does not exist). */
export function snapshot(dir: string): Record<string, number> | "absent" {
  if (!existsSync(dir)) return "absent";
  // a dot-file is an atomic metadata write in flight (renamed over the .json a moment later)
  const names = readdirSync(dir).filter((name) => !name.startsWith(".")).sort();
  return Object.fromEntries(names.map((name) => [name, statSync(join(dir, name)).size]));
}

export function readJson(path: string): Data {
  return JSON.parse(readFileSync(path, "utf8")) as Data;
}

// --- waits ---

/** The first message of `c` from index `from` on matching `pred`, whether it came before or after the read cursor; bounded. */
export async function seen(
  c: WsClient,
  pred: (m: Msg) => boolean,
  timeoutMs: number,
  what: string,
  from = 0,
): Promise<Msg> {
  let found: Msg | undefined;
  await until(() => (found = c.messages.slice(from).find(pred)) !== undefined, timeoutMs, what);
  return found!;
}

/** Polls `cond` every 20 ms until true; throws after `timeoutMs` naming `what`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

// --- parsers ---

/** Lines of a CSV text split into fields (no quoted fields in our files' data rows); the last empty line dropped. */
export function csvRows(text: string): string[][] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((l) => l.split(","));
}
