/** @module The recordings directory on real files in a temp dir: no overwrite, ordered appends, header patches, truncate, reopening, listing, reading, and atomic JSON. */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, open, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bytes, rejection, withStore } from "../_support/store-fixture.ts";

describe("createRecordingStore", () => {
  test("creates the directory with its parents when it is missing", () =>
    withStore(async (store, dir) => {
      expect((await stat(dir)).isDirectory()).toBe(true);
      await store.ensureDir(); // again: no error
    }));

  test("refuses to create a file when one exists, leaving it untouched", () =>
    withStore(async (store, dir, root) => {
      await writeFile(join(dir, "taken.csv"), "keep me");
      const err = await rejection(store.create("taken.csv"));
      expect(err.code).toBe("EEXIST");
      expect(err.message).toContain(join(dir, "taken.csv"));
      expect(await readFile(join(dir, "taken.csv"), "utf8")).toBe("keep me");
      // a symbolic link in the name's place is refused too, and its target is not touched
      await writeFile(join(root, "outside.txt"), "outside");
      await symlink(join(root, "outside.txt"), join(dir, "link.csv"));
      expect((await rejection(store.create("link.csv"))).code).toBe("EEXIST");
      expect(await readFile(join(root, "outside.txt"), "utf8")).toBe("outside");
    }));

  test("appends every byte in call order when appends are not awaited one by one", () =>
    withStore(async (store) => {
      const file = await store.create("order.raw");
      expect(file.bytes).toBe(0);
      const parts = Array.from({ length: 200 }, (_, k) => bytes(`${k},`.repeat((k % 7) + 1)));
      await Promise.all(parts.map((p) => file.append(p)));
      const expected = parts.map((p) => new TextDecoder().decode(p)).join("");
      expect(file.bytes).toBe(expected.length);
      await file.close();
      expect(await store.readText("order.raw")).toBe(expected);
    }));

  test("patches the header in place and truncates when the recorder finishes a file", () =>
    withStore(async (store) => {
      const file = await store.create("patch.bdf");
      await file.append(bytes("HEADER -1  "));
      await file.append(bytes("data-data-data"));
      await file.writeAt(7, bytes("12"));
      expect(file.bytes).toBe(25);
      await file.truncate(20);
      expect(file.bytes).toBe(20);
      // the next append goes to the new end (no hole where the truncated bytes were)
      await file.append(bytes("!"));
      await file.sync();
      const closing = file.close();
      expect((await rejection(file.append(bytes("late")))).code).toBe("EBADF");
      await closing;
      await file.close(); // idempotent
      expect(await store.readText("patch.bdf")).toBe("HEADER 12  data-data!");
    }));

  test("runs operations queued before close when close is not awaited first", () =>
    withStore(async (store) => {
      const file = await store.create("queued.csv");
      void file.append(bytes("a"));
      void file.append(bytes("b"));
      await file.close();
      expect(await store.readText("queued.csv")).toBe("ab");
    }));

  test("reopens an existing file at its end when a crashed recording is finalised", () =>
    withStore(async (store, dir, root) => {
      await writeFile(join(dir, "crashed.edf"), "0123456789");
      const file = await store.open("crashed.edf");
      expect(file.bytes).toBe(10);
      await file.writeAt(0, bytes("X"));
      await file.append(bytes("END"));
      await file.close();
      expect(await store.readText("crashed.edf")).toBe("X123456789END");
      expect((await rejection(store.open("missing.edf"))).code).toBe("ENOENT");
      await writeFile(join(root, "outside.txt"), "outside");
      await symlink(join(root, "outside.txt"), join(dir, "link.edf"));
      expect((await rejection(store.open("link.edf"))).code).toBe("EINVAL");
    }));

  test("lists regular files with safe names only when the directory holds other entries", () =>
    withStore(async (store, dir, root) => {
      await writeFile(join(dir, "b.csv"), "12345");
      await writeFile(join(dir, "a.json"), "{}");
      await writeFile(join(dir, ".a.json.x-1.tmp"), "{"); // a temp file left by a crash
      await writeFile(join(dir, "bad name.csv"), "");
      await mkdir(join(dir, "folder.csv"));
      await writeFile(join(root, "outside.txt"), "outside");
      await symlink(join(root, "outside.txt"), join(dir, "escape.csv"));
      const files = await store.list();
      expect(files.map((f) => [f.name, f.bytes])).toEqual([
        ["a.json", 2],
        ["b.csv", 5],
      ]);
      expect(typeof files[0]!.modifiedMs).toBe("number");
    }));

  test("reads only regular files inside the directory when asked for a name", () =>
    withStore(async (store, dir, root) => {
      await writeFile(join(dir, "data.raw"), new Uint8Array([0xaa, 0, 255]));
      expect(Array.from(await store.read("data.raw"))).toEqual([0xaa, 0, 255]);
      await writeFile(join(root, "secret.txt"), "secret");
      await symlink(join(root, "secret.txt"), join(dir, "link.csv"));
      const viaLink = await rejection(store.read("link.csv"));
      expect(viaLink.code).toBe("EINVAL");
      expect(viaLink.message).toContain(join(dir, "link.csv"));
      expect((await rejection(store.readText("absent.csv"))).code).toBe("ENOENT");
    }));

  test("refuses unsafe names before touching the file system", () =>
    withStore(async (store, dir) => {
      for (const name of ["../escape.csv", "a/b.csv", ".hidden", "%2e%2e", ""]) {
        const err = await rejection(store.create(name));
        expect(err.code).toBe("EINVAL");
        expect(err.message).toContain(JSON.stringify(name));
        expect((await rejection(store.read(name))).code).toBe("EINVAL");
        expect((await rejection(store.writeJson(name, {}))).code).toBe("EINVAL");
      }
      expect(existsSync(join(dir, "..", "escape.csv"))).toBe(false);
    }));
});

describe("RecordingStore.writeJson", () => {
  test("replaces the file by rename when it is rewritten, so an open reader keeps the old version", () =>
    withStore(async (store, dir) => {
      await store.writeJson("meta.json", { state: "recording", n: 1 });
      const old = await open(join(dir, "meta.json"), "r");
      try {
        await store.writeJson("meta.json", { state: "stopped", n: 2 });
        // written in place, the old handle would now read the new (or a half-written) text
        expect(JSON.parse(await old.readFile("utf8"))).toEqual({ state: "recording", n: 1 });
      } finally {
        await old.close();
      }
      expect(JSON.parse(await store.readText("meta.json"))).toEqual({ state: "stopped", n: 2 });
      expect(await readdir(dir)).toEqual(["meta.json"]);
    }));

  test("never shows a reader half a JSON when writes and reads race", () =>
    withStore(async (store, dir) => {
      const big = (k: number) => ({ k, samples: Array.from({ length: 20_000 }, (_, i) => i * k) });
      await store.writeJson("race.json", big(0));
      let writing = true;
      let reads = 0;
      const reader = (async () => {
        while (writing) {
          JSON.parse(await readFile(join(dir, "race.json"), "utf8")); // throws on a partial file
          reads++;
        }
      })();
      try {
        for (let k = 1; k <= 30; k++) await store.writeJson("race.json", big(k));
      } finally {
        writing = false;
      }
      await reader;
      expect(reads).toBeGreaterThan(0);
      expect(JSON.parse(await store.readText("race.json")).k).toBe(30);
    }));

  test("keeps the OS code and removes its temp file when the rename fails", () =>
    withStore(async (store, dir) => {
      await mkdir(join(dir, "blocked.json"));
      const err = await rejection(store.writeJson("blocked.json", { a: 1 }));
      expect(err.code).toMatch(/^E[A-Z]+$/);
      expect(err.code).not.toBe("EIO");
      expect(err.message).toContain(join(dir, "blocked.json"));
      expect(await readdir(dir)).toEqual(["blocked.json"]);
    }));
});
