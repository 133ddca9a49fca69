/**
 * @module The files of one recording and the writes into them: appends chained per file so bytes
 * land in order, what the writers have handed over (bounded per flush), syncs, a backlog count
 * that lets an unthrottled source wait, closing, and repairing EDF/BDF headers after a failure.
 * The first write error is reported once; nothing more is written to a broken file.
 */
import { repairAfterFailure } from "./recovery.ts";
import type { RecordingFile, RecordingStore } from "../ports/recording-store.ts";
import type { FormatWriter, RecordingFileEntry } from "./types.ts";

/** A take is ≤ 64 EDF/BDF records: 16 per flush drain ~2000 s of data a second (a long gap's zeros). */
const MAX_TAKES_PER_FLUSH = 16;
/** Above this many bytes waiting for the disk the source is asked to wait, until they are below the low mark. */
const BACKLOG_HIGH_BYTES = 16 * 1024 * 1024;
const BACKLOG_LOW_BYTES = 4 * 1024 * 1024;

/** A file of the recording and the writer that fills it (the events sidecar has none). */
export interface Output {
  readonly name: string;
  readonly format: RecordingFileEntry["format"];
  readonly file: RecordingFile;
  readonly writer: FormatWriter | null;
  /** Appends are chained so they reach the file in order. */
  chain: Promise<void>;
  /** The header written at the first sample (EDF/BDF: to repair the record count after a failure). */
  header?: Uint8Array;
}

export class RecordingFiles {
  readonly outputs: Output[] = [];
  events: Output | null = null;
  #onError: (e: unknown) => void;
  #backlog = 0;
  #drained: Promise<void> | null = null;
  #resolveDrained: (() => void) | null = null;
  #broken = false;

  private constructor(onError: (e: unknown) => void) {
    this.#onError = onError;
  }

  /** Creates `<base>.<ext>` per writer and `<base>_events.csv` (never overwriting); closes what it made on failure. */
  static async create(
    store: RecordingStore,
    base: string,
    writers: FormatWriter[],
    onError: (e: unknown) => void,
  ): Promise<RecordingFiles> {
    const f = new RecordingFiles(onError);
    try {
      for (const writer of writers) {
        const name = `${base}.${writer.extension}`;
        f.outputs.push({
          name,
          format: writer.format,
          file: await store.create(name),
          writer,
          chain: Promise.resolve(),
        });
      }
      const events = `${base}_events.csv`;
      f.events = {
        name: events,
        format: "events",
        file: await store.create(events),
        writer: null,
        chain: Promise.resolve(),
      };
    } catch (e) {
      for (const out of f.all) await out.file.close().catch(() => {});
      throw e;
    }
    return f;
  }

  get all(): Output[] {
    return this.events === null ? this.outputs : [...this.outputs, this.events];
  }

  /** Queues `bytes` for the end of `out`. */
  append(out: Output, bytes: Uint8Array): void {
    this.#backlog += bytes.length;
    out.chain = out.chain.then(() => out.file.append(bytes)).then(
      () => this.#written(bytes.length),
      (e: unknown) => {
        this.#written(bytes.length);
        this.#error(e);
        throw e; // keeps the chain failed: nothing more is written to a broken file
      },
    );
    out.chain.catch(() => {});
  }

  /** Hands what the writer has over to the file: a bounded number of takes, so a long gap drains over a few flushes. */
  flush(out: Output): void {
    for (let k = 0; k < MAX_TAKES_PER_FLUSH; k++) {
      const bytes = out.writer?.take() ?? null;
      if (bytes === null || bytes.length === 0) break;
      this.append(out, bytes);
    }
    // after the appends they rewrite: they only touch records already taken
    const patches = out.writer?.takePatches?.() ?? [];
    if (patches.length > 0) this.patch(out, patches);
  }

  /** Queues an fsync of every file (after what is queued before it). */
  syncAll(): void {
    for (const out of this.all) {
      out.chain = out.chain.then(() => out.file.sync());
      out.chain.catch((e: unknown) => this.#error(e)); // reported once, never an unhandled rejection
    }
  }

  /** Queues header patches at their offsets. */
  patch(out: Output, patches: Array<{ offset: number; bytes: Uint8Array }>): void {
    for (const p of patches) out.chain = out.chain.then(() => out.file.writeAt(p.offset, p.bytes));
    out.chain.catch((e: unknown) => this.#error(e));
  }

  /** Waits for every queued write and syncs; rejects with the first failure. */
  async settle(): Promise<void> {
    for (const out of this.all) await out.chain;
    for (const out of this.all) await out.file.sync();
  }

  /** Closes every file; after a failure an EDF/BDF header first gets the records really written. */
  async close(failed: boolean): Promise<void> {
    for (const out of this.all) {
      await out.chain.catch(() => {});
      if (failed && out.header !== undefined) {
        await repairAfterFailure(out.format, out.header, out.file).catch(() => {});
      }
      await out.file.close().catch(() => {});
    }
    this.#release();
  }

  /**
   * Resolves once the bytes waiting for the disk are few again; null when they already are. An
   * unthrottled source (a replay at --speed 0) waits on it instead of piling data up in memory.
   */
  pressure(): Promise<void> | null {
    if (this.#backlog < BACKLOG_HIGH_BYTES || this.#broken) return null;
    this.#drained ??= new Promise<void>((resolve) => (this.#resolveDrained = resolve));
    return this.#drained;
  }

  #written(n: number): void {
    this.#backlog -= n;
    if (this.#backlog < BACKLOG_LOW_BYTES) this.#release();
  }

  #release(): void {
    this.#resolveDrained?.();
    this.#drained = null;
    this.#resolveDrained = null;
  }

  #error(e: unknown): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#release();
    this.#onError(e);
  }
}
