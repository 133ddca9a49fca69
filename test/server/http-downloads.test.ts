/**
 * @module Issue 18 items 9 and 11: downloads are streamed (byte-identical, bounded memory, ranges,
 * no descriptor left open) and open the file once without following links (a symbolic link, a hard
 * link and a link swapped in during downloads give 404), with a bystander client that loses nothing.
 */
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  link,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { RUNTIMES } from "../_support/server-process.ts";
import { delay, rssMb, withServer } from "../_support/conformance/helpers.ts";
import { bystander, MB } from "../_support/http-hardening.ts";

const hardLink = promisify(link);

describe("issue 18: streamed downloads that open the file once", () => {
  for (const runtime of RUNTIMES) {
    test(
      `${runtime}: a 96 MiB download is streamed: byte-identical, Content-Length, ranges, bounded memory`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "mw75-dl-"));
        try {
          const size = 96 * MB;
          const expected = createHash("sha256");
          const fd = openSync(join(dir, "big.raw"), "w");
          // a 1 MiB block whose first bytes carry its index: a shifted or repeated chunk changes the hash
          const block = Buffer.alloc(MB);
          for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
          for (let i = 0; i < size / MB; i++) {
            block.writeUInt32BE(i, 0);
            writeSync(fd, block);
            expected.update(block);
          }
          closeSync(fd);
          await withServer(runtime, ["--recordings-dir", dir], async (srv, open) => {
            const b = await bystander(open);
            const pid = srv.child.pid!;
            const peakBefore = rssMb(pid, true);
            const res = await fetch(`${srv.http}/recordings/big.raw`);
            expect(res.status).toBe(200);
            const got = createHash("sha256");
            let bytes = 0;
            const reader = res.body!.getReader();
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              got.update(value);
              bytes += value.length;
            }
            expect(bytes).toBe(size);
            expect(got.digest("hex")).toBe(expected.digest("hex"));
            // the old route held the file 2–3 times (≥ 190 MB more); streaming holds a few chunks.
            // 48 MB is half the file: room for allocator and GC slack on a loaded machine
            expect(rssMb(pid, true) - peakBefore).toBeLessThan(48);
            // Bun.serve drops a handler's Content-Length on a streamed body and sends it chunked
            // (oven-sh/bun#10507, Bun 1.4.5); Deno and Node keep it
            expect(res.headers.get("content-length")).toBe(runtime === "bun" ? null : String(size));
            expect(res.headers.get("accept-ranges")).toBe("bytes");
            const range = await fetch(`${srv.http}/recordings/big.raw`, {
              headers: { range: `bytes=${3 * MB}-${3 * MB + 9}` },
            });
            expect(range.status).toBe(206);
            expect(range.headers.get("content-range")).toBe(
              `bytes ${3 * MB}-${3 * MB + 9}/${size}`,
            );
            expect([...new Uint8Array(await range.arrayBuffer())]).toEqual([
              0,
              0,
              0,
              3,
              ...block.subarray(4, 10),
            ]);
            const tail = await fetch(`${srv.http}/recordings/big.raw`, {
              headers: { range: "bytes=-2" },
            });
            expect([tail.status, [...new Uint8Array(await tail.arrayBuffer())]]).toEqual([206, [
              ...block.subarray(MB - 2),
            ]]);
            const beyond = await fetch(`${srv.http}/recordings/big.raw`, {
              headers: { range: `bytes=${size}-` },
            });
            expect([beyond.status, beyond.headers.get("content-range")]).toEqual([
              416,
              `bytes */${size}`,
            ]);
            await beyond.arrayBuffer();
            // HEAD and downloads abandoned half-way leave no descriptor open
            const fds = () => readdirSync(`/proc/${pid}/fd`).length;
            const fdsBefore = fds();
            for (let i = 0; i < 10; i++) {
              expect((await fetch(`${srv.http}/recordings/big.raw`, { method: "HEAD" })).status)
                .toBe(200);
              const cut = new AbortController();
              const partial = await fetch(`${srv.http}/recordings/big.raw`, { signal: cut.signal });
              await partial.body!.getReader().read();
              cut.abort();
            }
            // closing happens when the runtime notices the cut connection: poll (≤ 5 s) for the count to come back
            const deadline = Date.now() + 5000;
            while (fds() > fdsBefore && Date.now() < deadline) await delay(50);
            expect(fds()).toBeLessThanOrEqual(fdsBefore);
            expect(b.jumps()).toEqual([]);
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      60_000,
    );

    test(
      `${runtime}: symbolic links, hard links and a link swapped in during downloads give 404, never the target`,
      async () => {
        const root = mkdtempSync(join(tmpdir(), "mw75-links-"));
        const dir = join(root, "recordings");
        try {
          const secret = "SECRET-" + "s".repeat(100);
          writeFileSync(join(root, "secret.txt"), secret);
          mkdirSync(dir);
          await withServer(runtime, ["--recordings-dir", dir], async (srv, open) => {
            const b = await bystander(open);
            writeFileSync(join(dir, "plain.csv"), "plain");
            symlinkSync(join(root, "secret.txt"), join(dir, "sym.csv"));
            await hardLink(join(root, "secret.txt"), join(dir, "hard.csv"));
            const get = async (name: string) => {
              const r = await fetch(`${srv.http}/recordings/${name}`);
              return { status: r.status, text: await r.text() };
            };
            expect((await get("plain.csv")).status).toBe(200);
            expect((await get("sym.csv")).status).toBe(404);
            const hard = await get("hard.csv");
            expect(hard.status).toBe(404);
            expect(JSON.parse(hard.text)["code"]).toBe("NOT_FOUND");
            // another process swaps race.csv between a regular file and a link to the secret
            writeFileSync(join(root, "orig"), "ordinary");
            writeFileSync(join(dir, "race.csv"), "ordinary");
            const swapper = spawn("bash", [
              "-c",
              `cd '${dir}' && for i in $(seq 1 4000); do ln -sfn '${root}/secret.txt' l.tmp && mv -Tf l.tmp race.csv && cp '${root}/orig' r.tmp && mv -Tf r.tmp race.csv; done`,
            ], { stdio: "ignore" });
            const swapperDone = new Promise((r) => swapper.once("exit", r));
            const counts: Record<string, number> = {};
            try {
              // bounded by tries and by the swapper's life
              for (let i = 0; i < 600 && swapper.exitCode === null; i++) {
                const r = await get("race.csv");
                const what = r.text.includes("SECRET") ? "secret" : `${r.status}`;
                counts[what] = (counts[what] ?? 0) + 1;
              }
            } finally {
              swapper.kill("SIGKILL");
              await swapperDone;
            }
            expect(counts["secret"] ?? 0).toBe(0);
            expect(counts["500"] ?? 0).toBe(0);
            expect(b.jumps()).toEqual([]);
          });
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
      60_000,
    );
  }
});
