/** @module What the recordings directory refuses, on real files: unsafe names, and failing writes with their OS codes kept (ENOSPC from /dev/full, EFBIG from a child under `ulimit -f`, EACCES). */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { openRecordingFileAt, osErrorCode } from "../../src/adapters/recording-file.ts";
import { isSafeName } from "../../src/recording/safe-name.ts";
import { bytes, rejection, withStore } from "../_support/store-fixture.ts";

describe("isSafeName", () => {
  test("rejects names that could leave the directory or hide when they are unusual", () => {
    for (
      const name of [
        "../x",
        "a/b",
        ".hidden",
        "%2e%2e",
        "",
        "x".repeat(129),
        "a..b",
        "a\\b",
        "a b",
        "a\0b",
        "..",
        "é.csv",
      ]
    ) {
      expect(`${JSON.stringify(name)}: ${isSafeName(name)}`).toBe(`${JSON.stringify(name)}: false`);
    }
    expect(isSafeName(42)).toBe(false);
  });

  test("accepts plain recording names when they use the allowed characters", () => {
    for (
      const name of [
        "session_2026-12-01.bdf",
        "a",
        "x".repeat(128),
        "S1_events.csv",
        "run-2.raw.json",
      ]
    ) {
      expect(`${name}: ${isSafeName(name)}`).toBe(`${name}: true`);
    }
  });
});

/** /dev/full is there (Linux) and this process may open it (Deno asks for --allow-all for /dev). */
function devFullUsable(): boolean {
  try {
    return existsSync("/dev/full");
  } catch {
    return false; // Deno's NotCapable without --allow-all: the disk-full conformance scenario covers Deno
  }
}

describe("OS error codes", () => {
  test.skipIf(!devFullUsable())(
    "keeps ENOSPC and names the file when the device is full",
    async () => {
      // /dev/full accepts the open and fails every write with ENOSPC (Linux); opened through the
      // store's own file layer, since the store only opens names inside its directory
      const file = await openRecordingFileAt("/dev/full", "open");
      const err = await rejection(file.append(bytes("x".repeat(4096))));
      expect(err.code).toBe("ENOSPC");
      expect(err.message).toContain("/dev/full");
      expect(err.file).toBe("/dev/full");
      expect(file.bytes).toBe(0);
      await file.close();
    },
  );

  test.skipIf(!existsSync("/bin/bash"))(
    "keeps EFBIG and drops the partial append when a file size limit is hit",
    () =>
      withStore(async (_store, work) => {
        const adapter = new URL("../../src/adapters/recording-store.ts", import.meta.url).href;
        const script = join(work, "child.mts");
        await writeFile(
          script,
          `import { createRecordingStore } from ${JSON.stringify(adapter)};
const store = createRecordingStore(${JSON.stringify(work)});
const file = await store.create("big.csv");
await file.append(new Uint8Array(1000).fill(65));
const out: Record<string, unknown> = {};
try { await file.append(new Uint8Array(3000).fill(66)); } catch (e) { Object.assign(out, { code: (e as any).code, message: (e as any).message }); }
out.bytes = file.bytes;
await file.close();
console.log(JSON.stringify(out));
`,
        );
        const g = globalThis as { Bun?: unknown; Deno?: unknown };
        const runtime = g.Bun
          ? [script]
          : g.Deno
          ? ["run", "--allow-all", "--no-config", script]
          : ["--import", "tsx", script];
        const repo = fileURLToPath(new URL("../..", import.meta.url));
        // 2 KiB limit; SIGXFSZ ignored so the write fails with EFBIG instead of killing the child
        const child = spawnSync("/bin/bash", [
          "-c",
          'trap "" XFSZ; ulimit -f 2; exec "$0" "$@"',
          process.execPath,
          ...runtime,
        ], {
          cwd: repo,
          encoding: "utf8",
          timeout: 30_000,
        });
        expect(child.stderr).toBe("");
        const out = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as {
          code: string;
          message: string;
          bytes: number;
        };
        expect(out.code).toBe("EFBIG");
        expect(out.message).toContain(join(work, "big.csv"));
        expect(out.bytes).toBe(1000);
        expect((await stat(join(work, "big.csv"))).size).toBe(1000);
      }),
  );

  test.skipIf(process.getuid?.() === 0)(
    "keeps EACCES when the directory is not writable (skipped as root)",
    () =>
      withStore(async (store, dir) => {
        await chmod(dir, 0o500);
        try {
          expect((await rejection(store.create("x.csv"))).code).toBe("EACCES");
        } finally {
          await chmod(dir, 0o700);
        }
      }),
  );

  test("recovers the code when Deno reports only the OS error number", () => {
    expect(osErrorCode(new Error("File too large (os error 27)"))).toBe("EFBIG");
    expect(osErrorCode(Object.assign(new Error("x"), { code: "EDQUOT" }))).toBe("EDQUOT");
    expect(osErrorCode(Object.assign(new Error("gone"), { name: "NotFound" }))).toBe("ENOENT");
    expect(osErrorCode("weird")).toBe("EIO");
  });
});
