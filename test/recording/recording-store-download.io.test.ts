/**
 * @module The store's download handle (issue 18 item 11): opened once without following links,
 * checked on the open descriptor (regular file, one link, the directory's device), read by
 * position, and no descriptor left open by a refusal.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import type { RecordingStore, StoreError } from "../../src/ports/recording-store.ts";

async function withStore(
  body: (store: RecordingStore, dir: string, root: string) => Promise<void>,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "mw75-dl-"));
  try {
    const dir = join(root, "recordings");
    const store = createRecordingStore(dir);
    await store.ensureDir();
    await body(store, dir, root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function refusal(p: Promise<unknown>): Promise<StoreError> {
  const outcome = await p.then(() => null, (e: unknown) => e as StoreError);
  if (outcome === null) throw new Error("expected a rejection, the promise resolved");
  return outcome;
}

/** Open descriptors of this process (Linux); -1 where /proc is missing. */
function openFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return -1;
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("recording store: download handles", () => {
  test("a regular file: size, reads by position, short read at the end, close", async () => {
    await withStore(async (store, dir) => {
      await writeFile(join(dir, "s.csv"), "0123456789");
      const file = await store.openDownload("s.csv");
      try {
        expect(file.bytes).toBe(10);
        expect(text(await file.read(2, 3))).toBe("234");
        expect(text(await file.read(8, 100))).toBe("89");
        expect((await file.read(10, 5)).length).toBe(0);
      } finally {
        await file.close();
      }
      // idempotent close; reads after it are refused
      await file.close();
      expect((await refusal(file.read(0, 1))).code).toBe("EBADF");
    });
  });

  test("links, a directory, a FIFO and unsafe names are refused, and no descriptor stays open", async () => {
    await withStore(async (store, dir, root) => {
      await writeFile(join(root, "secret.txt"), "secret");
      await writeFile(join(dir, "real.csv"), "data");
      await symlink(join(root, "secret.txt"), join(dir, "link.csv"));
      await symlink(join(dir, "real.csv"), join(dir, "inside.csv"));
      await link(join(root, "secret.txt"), join(dir, "hard.csv"));
      await mkdir(join(dir, "folder.csv"));
      const fifo = spawnSync("mkfifo", [join(dir, "pipe.csv")]).status === 0;
      const before = openFds();
      for (let round = 0; round < 20; round++) {
        // EINVAL, as the store already answers for a link (store.ts); the message says why
        const viaLink = await refusal(store.openDownload("link.csv"));
        expect([viaLink.code, viaLink.message.includes("symbolic link")]).toEqual(["EINVAL", true]);
        expect((await refusal(store.openDownload("inside.csv"))).code).toBe("EINVAL");
        const hard = await refusal(store.openDownload("hard.csv"));
        expect(hard.code).toBe("EINVAL");
        expect(hard.message).toContain("2 links");
        expect((await refusal(store.openDownload("folder.csv"))).code).toBe("EINVAL");
        // a FIFO must not block the open (O_NONBLOCK) and is refused as not a regular file
        if (fifo) expect((await refusal(store.openDownload("pipe.csv"))).code).toBe("EINVAL");
        expect((await refusal(store.openDownload("missing.csv"))).code).toBe("ENOENT");
        expect((await refusal(store.openDownload("../secret.txt"))).code).toBe("EINVAL");
      }
      if (before >= 0) expect(openFds()).toBeLessThanOrEqual(before);
      // the real file is still served
      const ok = await store.openDownload("real.csv");
      expect(text(await ok.read(0, 10))).toBe("data");
      await ok.close();
      if (before >= 0) expect(openFds()).toBeLessThanOrEqual(before);
    });
  });

  test("read() refuses a link on the opened file too (no check-then-open window)", async () => {
    await withStore(async (store, dir, root) => {
      await writeFile(join(root, "secret.txt"), "secret");
      await symlink(join(root, "secret.txt"), join(dir, "m.json"));
      const err = await refusal(store.read("m.json"));
      expect([err.code, err.message.includes("symbolic link")]).toEqual(["EINVAL", true]);
    });
  });
});
