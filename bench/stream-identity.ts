/**
 * @module `npm run bench:identity`: proves two checkouts' servers stream and record a replayed
 * capture sample-for-sample identically (issue 24's "no behaviour changes"); one SHA-256 per
 * stream and file, and with two roots a same/DIFFERENT table (exit 1 on any difference).
 *
 * Left out as host-time dependent (all else is compared bit for bit, JSON numbers as their text):
 * eeg_data.timestamp and every stream message's fresh envelope id; eeg_batch timestamps and the
 * binary frame's t0; event timestamps; the recording's started_at/stopped_at (events, metadata)
 * and the metadata's started_at_unix, stopped_at_unix and start_ms; the CSV's Timestamp column;
 * the EDF/BDF header's start date, start time and recording-field Startdate; /health's rate_hz.
 * Compare runs of one runtime: under Node 20 some decimated JSON values differ in the last
 * digit from Bun's and Deno's (likely Math.sin in the filter design; all else had the same
 * digests on all three), which f32 binary frames and BDF/EDF counts hide.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createHash } from "node:crypto";
import { buildCapture, CAPTURE_PACKETS, expectedSamples } from "./identity-capture.ts";
import { reduceRecording } from "./identity-files.ts";
import type { StreamLog } from "./identity-reduce.ts";
import { compareRuns, printRun } from "./identity-report.ts";
import { startRootServer } from "./identity-server.ts";
import { collectRun, resumeMatchesLive, SESSION } from "./identity-session.ts";
import type { Runtime } from "./server-harness.ts";

const USAGE =
  `usage: bun bench/stream-identity.ts --root DIR [--root DIR2] [--runtime bun|deno|node]
                                   [--speed X] [--keep]
  --root DIR      a checkout whose server to run (its src/bun.ts, src/deno.ts or src/node.ts);
                  give two to compare them (the same one twice proves the check is stable)
  --runtime R     the servers' runtime (default bun)
  --speed X       replay speed (default 1, real time; the capture is ${CAPTURE_PACKETS / 500} s);
                  4 gave the same digests as 1 (each run ~11 s instead of ~26 s)
  --keep          keep the capture, the recordings and each stream's reduced units, one
                  per line (units-N/*.txt, to diff by hand); their folder is printed
exit 0: every stream and file the same (or one root), 1: something differs, 2: the check failed`;

function args(): { roots: string[]; runtime: Runtime; speed: number; keep: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        root: { type: "string", multiple: true },
        runtime: { type: "string", default: "bun" },
        speed: { type: "string", default: "1" },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
    const roots = values.root ?? [];
    const runtime = values.runtime as Runtime;
    const speed = Number(values.speed);
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    if (roots.length < 1 || roots.length > 2) throw new Error("give one or two --root");
    if (!["bun", "deno", "node"].includes(runtime)) throw new Error(`unknown runtime ${runtime}`);
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error("--speed must be a number > 0");
    for (const root of roots) {
      const entry = join(resolve(root), "src", `${runtime}.ts`);
      if (!existsSync(entry)) throw new Error(`${root} is no checkout of the bridge: no ${entry}`);
    }
    return { roots: roots.map((r) => resolve(r)), runtime, speed, keep: values.keep };
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exit(2);
  }
}

/** Writes each stream's units, one per line, so two runs can be diffed by hand. */
async function dumpUnits(dir: string, logs: readonly StreamLog[]): Promise<void> {
  await mkdir(dir);
  for (const log of logs) {
    await writeFile(
      join(dir, `${log.name.replaceAll(/[^\w.-]+/g, "_")}.txt`),
      log.units.join("\n") + "\n",
    );
  }
}

async function main(): Promise<number> {
  const { roots, runtime, speed, keep } = args();
  const work = await mkdtemp(join(tmpdir(), "mw75-identity-"));
  try {
    const capture = buildCapture();
    const capturePath = join(work, "capture.raw");
    await writeFile(capturePath, capture);
    const sha = createHash("sha256").update(capture).digest("hex");
    console.log(`capture: ${capture.length} bytes, sha256 ${sha} (${capturePath})`);
    console.log(`  ${expectedSamples()} samples to decode (seq 0…${CAPTURE_PACKETS - 1})`);
    console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
    const replayMs = (CAPTURE_PACKETS / (500 * speed)) * 1000;
    const runs: StreamLog[][] = [];
    for (const [i, root] of roots.entries()) {
      const dir = join(work, `recordings-${i + 1}`);
      await mkdir(dir);
      const started = performance.now();
      const server = await startRootServer(runtime, root, [
        "--source",
        `replay:${capturePath}`,
        "--speed",
        String(speed),
        "--recordings-dir",
        dir,
        "--max-clients",
        "16",
      ]);
      let logs: StreamLog[];
      try {
        logs = await collectRun(server.url, replayMs);
      } catch (e) {
        console.error(`run ${i + 1} (${root}) failed; server stderr:\n${server.stderr()}`);
        throw e;
      } finally {
        await server.stop();
      }
      logs.push(...(await reduceRecording(dir, SESSION)));
      // two broken checkouts that stream nothing would otherwise compare "same"
      const empty = logs.filter((l) => l.units.length === 0 && l.name !== "files other");
      if (empty.length > 0) throw new Error(`run ${i + 1}: nothing in ${empty.map((l) => l.name)}`);
      const decoded = logs.find((l) => l.name === "eeg_data")!.samples;
      if (decoded !== expectedSamples()) {
        console.log(`  NOTE: eeg_data has ${decoded} samples, the capture ${expectedSamples()}`);
      }
      const took = ((performance.now() - started) / 1000).toFixed(1);
      printRun(`run ${i + 1}: ${root} (${runtime}, speed ${speed}, ${took} s)`, logs);
      for (const [name, same] of resumeMatchesLive(logs)) {
        console.log(`  ${name} = its live stream: ${same ? "yes" : "NO"}`);
      }
      if (keep) await dumpUnits(join(work, `units-${i + 1}`), logs);
      runs.push(logs);
    }
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
    if (runs.length < 2) return 0;
    const same = compareRuns([roots[0]!, roots[1]!], runs[0]!, runs[1]!);
    console.log(same ? "\nSAME: every stream and file is identical" : "\nDIFFERENT: see above");
    return same ? 0 : 1;
  } finally {
    if (keep) console.log(`kept: ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : String(e));
    process.exit(2);
  },
);
