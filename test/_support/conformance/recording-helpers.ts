/**
 * @module Shared pieces of the recording scenarios (BRIDGE-API §4): a problem collector (so one run
 * reports every deviation, not just the first), MNE via read_edf.py, the decode CLI, raw HTTP
 * requests that no URL parser normalises, directory snapshots and a few parsers.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Runtime } from "../server-process.ts";
import type { Msg, WsClient } from "../ws-client.ts";
import type { Data } from "./stream-helpers.ts";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The system Python that has python3-mne; never the `python3` on PATH. */
export const PYTHON = "/usr/bin/python3";
const READ_EDF = join(ROOT, "test/_support/read_edf.py");
const BIN = join(ROOT, "node_modules/.bin");

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

/** The next `recording` message whose state is `state` (and session, when given), bounded. */
export function nextRecording(
  c: WsClient,
  state: string,
  timeoutMs: number,
  session?: string,
): Promise<Msg> {
  return c.next(
    (m) =>
      m.type === "recording" && m.data["state"] === state &&
      (session === undefined || m.data["session_name"] === session),
    timeoutMs,
    `a recording message with state ${state}`,
  );
}

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

/** The last seq of the eeg_batch messages in `msgs` (-1 before the first). */
export function latestSeq(msgs: Msg[]): number {
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i]!;
    if (m.type === "eeg_batch") {
      return (m.data["first_seq"] as number) + (m.data["count"] as number) - 1;
    }
  }
  return -1;
}

/**
 * Waits until the client holds the batches up to `recording`'s last sample (first_seq plus its
 * duration): the recording's end reaches the client just before or after its stop broadcast.
 * 5 s: the batches come every 50 ms or so; the rest is for a loaded machine.
 */
export function untilBatchesCover(c: WsClient, recording: Data, what: string): Promise<void> {
  const last = (recording["first_seq"] as number) +
    Math.round((recording["duration_s"] as number) * 500) - 1;
  return until(() => latestSeq(c.messages) >= last, 5000, `${what}: the batches up to seq ${last}`);
}

/**
 * The running recording's first_seq, asked every 50 ms until the first sample is in (null before).
 * 5 s: the first sample comes within one chunk (~20 ms), or after one reconnect in the link-loss
 * scenario (100 ms base); the rest is for a loaded machine.
 */
export async function recordingFirstSeq(c: WsClient): Promise<number> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const first = (await c.request("recording_status", {})).data["first_seq"];
    if (typeof first === "number") return first;
    if (Date.now() > deadline) throw new Error("timed out after 5000 ms waiting for first_seq");
    await new Promise((r) => setTimeout(r, 50));
  }
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

// --- processes ---

/** Runs a command (bounded) and resolves with its exit code and output; never rejects. */
export function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 512 << 20, encoding: "utf8" },
      (err, stdout, stderr) => {
        const code = err === null
          ? 0
          : typeof (err as { code?: unknown }).code === "number"
          ? ((err as { code: number }).code)
          : null;
        resolve({ code, stdout, stderr: stderr || (err ? String(err.message) : "") });
      },
    );
  });
}

/** What read_edf.py prints. */
export interface MneReport {
  mne_version: string;
  ch_names: string[];
  ch_types: string[];
  sfreq: number;
  n_times: number;
  meas_date: string | null;
  windows: Array<{ start: number; stop: number; values: number[][] }>;
  annotations: Array<{ onset: number; duration: number; description: string }>;
  warnings: string[];
}

/** MNE's reading of a BDF/EDF file with every sample's values (µV) in `windows[0]`; throws when MNE refuses it. */
export async function readWithMne(file: string): Promise<MneReport> {
  const r = await run(PYTHON, [READ_EDF, file, "--window", "0:100000000"], 120_000);
  if (r.code !== 0) {
    throw new Error(
      `MNE cannot read ${file} (exit ${r.code}): ${
        r.stderr.trim().split("\n").slice(-3).join(" / ")
      }`,
    );
  }
  return JSON.parse(r.stdout) as MneReport;
}

/** The decode CLI's JSON lines for `file` under `runtime`. */
export async function decodeLines(runtime: Runtime, file: string): Promise<Data[]> {
  const commands: Record<Runtime, string[]> = {
    bun: [join(BIN, "bun"), "src/cli/decode.ts"],
    deno: [join(BIN, "deno"), "run", "--allow-read", "src/cli/decode.ts"],
    node: ["node", "--import", "tsx", "src/cli/decode.ts"],
  };
  const [cmd, ...args] = commands[runtime];
  const r = await run(cmd!, [...args, file], 60_000);
  if (r.code !== 0) throw new Error(`decode ${file} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Data);
}

// --- HTTP ---

/**
 * GET `path` exactly as written (fetch would turn `%2e%2e` into `..` and resolve it away):
 * status and body over a plain TCP connection, bounded.
 */
export function rawGet(
  port: number,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`GET ${path}: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}

// --- parsers ---

/** A seq jump in the stream: `missing` seqs after `after`, the stream goes on at `next`. */
export interface Jump {
  after: number;
  next: number;
  missing: number;
}

/** The jumps of ascending, distinct `seqs`. */
export function jumpsOf(seqs: number[]): Jump[] {
  const out: Jump[] = [];
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i]! !== seqs[i - 1]! + 1) {
      out.push({ after: seqs[i - 1]!, next: seqs[i]!, missing: seqs[i]! - seqs[i - 1]! - 1 });
    }
  }
  return out;
}

/**
 * The jumps whose missing seqs start inside [first, last], cut at `last`: a recording whose last
 * samples were lost ends in a gap (the files still span the whole duration).
 */
export function jumpsInside(jumps: Jump[], first: number, last: number): Jump[] {
  return jumps
    .filter((j) => j.after >= first && j.after < last)
    .map((j) => (j.next <= last ? j : { after: j.after, next: last + 1, missing: last - j.after }));
}

/** Lines of a CSV text split into fields (no quoted fields in our files' data rows); the last empty line dropped. */
export function csvRows(text: string): string[][] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((l) => l.split(","));
}
