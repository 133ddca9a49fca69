/** @module The `decode` command under Bun, Deno and Node: JSON lines, stdin, capture boundaries, errors and exit codes. */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureRecord } from "../../src/recording/capture-format.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import { simPackets } from "../../src/sources/sim.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "node_modules/.bin");
const COMMANDS: Record<string, string[]> = {
  bun: [join(BIN, "bun"), "src/cli/decode.ts"],
  deno: [join(BIN, "deno"), "run", "--allow-read", "src/cli/decode.ts"],
  node: ["node", "--import", "tsx", "src/cli/decode.ts"],
};

function decode(runtime: string, args: string[], input?: Uint8Array) {
  const [cmd, ...rest] = COMMANDS[runtime]!;
  const run = spawnSync(cmd!, [...rest, ...args], {
    cwd: ROOT,
    input,
    timeout: 60_000,
    encoding: "utf8",
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

const stream = new Uint8Array([
  0x01,
  0x02, // junk before the first sync byte
  ...buildPacket({ counter: 1, ref: 2.5, rawChannels: [1000, 8388607, NaN] }),
  ...buildPacket({ counter: 7, eventId: 100 }),
  ...buildPacket({ counter: 3, rawChannels: [-1000] }),
  0xaa,
  0xef, // a partial packet left at the end
]);

// two recorded connections: the first dropped 30 bytes into its packet with counter 100
const firstLink = simPackets(2, 0, 101).subarray(0, 100 * 63 + 30);
const secondLink = simPackets(2, 0, 50);
const glued = new Uint8Array([...firstLink, ...secondLink]);
const twoLinks = new Uint8Array([
  ...firstLink,
  ...captureRecord(2, 1_700_000_000_000),
  ...secondLink,
]);

const dir = mkdtempSync(join(tmpdir(), "mw75-decode-"));
const file = join(dir, "capture.bin");
writeFileSync(file, stream);
const twoLinksFile = join(dir, "two-links.bin");
writeFileSync(twoLinksFile, twoLinks);
const gluedFile = join(dir, "glued.bin");
writeFileSync(gluedFile, glued);
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** Runs decode with its stdout into `head -c 200`, which exits early: decode must stop quietly, exit 0. */
function decodeIntoHead(runtime: string, path: string) {
  const command = [...COMMANDS[runtime]!, path].map((a) => `'${a}'`).join(" ");
  const run = spawnSync("bash", [
    "-c",
    `set -o pipefail; ${command} 2>"$ERR_FILE" | head -c 200 >/dev/null`,
  ], {
    cwd: ROOT,
    timeout: 60_000,
    encoding: "utf8",
    env: { ...process.env, ERR_FILE: `${path}.err` },
  });
  return { code: run.status, err: readFileSync(`${path}.err`, "utf8") };
}

for (const runtime of ["bun", "deno", "node"]) {
  describe(`decode under ${runtime}`, () => {
    test("stops quietly with exit 0 when the reader of its output goes away (| head)", () => {
      const dir = mkdtempSync(join(tmpdir(), "mw75-decode-pipe-"));
      try {
        const big = join(dir, "big.bin");
        writeFileSync(big, simPackets(3, 0, 20_000)); // far more output than a pipe buffer holds
        const { code, err } = decodeIntoHead(runtime, big);
        expect({ code, err }).toEqual({ code: 0, err: "" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("writes one valid JSON line per packet in stream order, then stats", () => {
      const { code, out } = decode(runtime, [file]);
      expect(code).toBe(0);
      const lines = out.trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.map((l) => l.type)).toEqual(["eeg", "event", "eeg", "stats"]);
      expect(lines[0]).toMatchObject({
        event_id: 239,
        counter: 1,
        ref: 2.5,
        lead_off: [2],
        non_finite: true,
        feature_status: 0,
      });
      expect(lines[0].channels.slice(0, 3)).toEqual([23.842, 8388607 * 0.023842, null]);
      expect(lines[1]).toEqual({
        type: "event",
        event_id: 100,
        counter: 7,
        raw_hex: Buffer.from(buildPacket({ counter: 7, eventId: 100 })).toString("hex"),
      });
      expect(lines[2]).toMatchObject({ counter: 3, lead_off: [] });
      expect(lines[2].non_finite).toBeUndefined();
      expect(lines[3]).toMatchObject({
        eeg_packets: 2,
        event_packets: 1,
        lost_packets: 1,
        bytes_skipped: 2,
        non_finite_values: 1,
        residual_bytes: 2,
      });
    }, 60_000);

    test("reads standard input when no file is given", () => {
      const { code, out } = decode(runtime, [], stream);
      expect(code).toBe(0);
      expect(out.trim().split("\n").length).toBe(4);
    }, 60_000);

    test(
      "a capture of two connections decodes as a gap at the boundary record, not as corruption",
      () => {
        const { code, out } = decode(runtime, [twoLinksFile]);
        expect(code).toBe(0);
        const lines = out.trim().split("\n").map((l) => JSON.parse(l));
        const boundary = lines.findIndex((l) => l.type === "boundary");
        expect(lines[boundary]).toEqual({
          type: "boundary",
          connection: 2,
          unix_ms: 1_700_000_000_000,
          dropped_bytes: 30,
        });
        // in stream order: the first connection's 100 packets, the boundary, then the second's
        expect(boundary).toBe(100);
        expect(lines.slice(boundary - 1, boundary + 2).map((l) => l.counter)).toEqual([
          99,
          undefined,
          0,
        ]);
        expect(lines.at(-1)).toMatchObject({
          type: "stats",
          eeg_packets: 150,
          checksum_failures: 0,
          lost_packets: 255 - 99,
          residual_bytes: 0,
        });
      },
      60_000,
    );

    test("the same connections without the record show checksum failures", () => {
      const { code, out } = decode(runtime, [gluedFile]);
      expect(code).toBe(0);
      const lines = out.trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.some((l) => l.type === "boundary")).toBe(false);
      expect(lines.at(-1).checksum_failures).toBeGreaterThan(0);
    }, 60_000);

    test("exits non-zero with a clear message for a missing file or an unknown flag", () => {
      const missing = decode(runtime, [join(dir, "nope.bin")]);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain("cannot read");
      expect(missing.err).toContain("no such file");
      const flag = decode(runtime, ["--frobnicate"]);
      expect(flag.code).toBe(2);
      expect(flag.err).toContain("Usage: decode");
    }, 60_000);
  });
}
