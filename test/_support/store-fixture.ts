/** @module A recording store on a fresh temp directory for the store tests, and the rejection a refused operation gives. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import type { RecordingStore, StoreError } from "../../src/ports/recording-store.ts";

/** UTF-8 bytes of `s`. */
export const bytes = (s: string) => new TextEncoder().encode(s);

/**
 * Runs `body` with a store on a fresh temp directory (`root/nested/recordings`, created by
 * `ensureDir`) and removes it afterwards; the test shims for Deno and Node have no before/after hooks.
 */
export async function withStore(
  body: (store: RecordingStore, dir: string, root: string) => Promise<void>,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "mw75-store-"));
  try {
    const dir = join(root, "nested", "recordings");
    const store = createRecordingStore(dir);
    await store.ensureDir();
    await body(store, dir, root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The rejection of `p` (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<StoreError> {
  const outcome = await p.then(
    () => null,
    (e: unknown) => e as StoreError,
  );
  if (outcome === null) throw new Error("expected the promise to reject");
  return outcome;
}
