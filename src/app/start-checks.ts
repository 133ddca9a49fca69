/**
 * @module What `serve` checks on disk before it serves: a file `--source replay:FILE` could not
 * read, a recordings directory `--record` could not write. Either is a bad command line (exit 2).
 */
import { open, stat } from "node:fs/promises";
import type { RecordingStore } from "../ports/recording-store.ts";
import type { ServeConfig } from "./config.ts";
import { UsageError } from "./option-values.ts";

/**
 * Refuses, as a bad command line (exit 2), a `--source replay:FILE` that replay could not read:
 * otherwise the bridge would serve and fail only when a client connects. A FIFO or device is
 * refused too (not a regular file), so the check never blocks on opening one.
 */
export async function checkSourceFiles(config: ServeConfig): Promise<void> {
  for (const plan of config.devices) {
    if (plan.source.kind !== "replay") continue;
    const { path } = plan.source;
    const refuse = (why: string) =>
      new UsageError(`--source replay:${path}: cannot replay the capture file: ${why}`);
    try {
      if (!(await stat(path)).isFile()) throw refuse(`${path} is not a regular file`);
      await (await open(path, "r")).close();
    } catch (e) {
      throw e instanceof UsageError ? e : refuse(e instanceof Error ? e.message : String(e));
    }
  }
}

/**
 * `--record` starts recordings nobody asked for interactively, so nobody would see a refusal: a
 * recordings directory it cannot write is a bad command line (exit 2), found before serving.
 */
export async function checkRecordingsDir(
  c: ServeConfig,
  store: Pick<RecordingStore, "probeWritable">,
): Promise<void> {
  if (c.record === null) return;
  try {
    await store.probeWritable();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new UsageError(
      `--recordings-dir ${c.recordingsDir} is not writable, and --record ${
        c.record.join(",")
      } needs it: ${reason}`,
    );
  }
}
