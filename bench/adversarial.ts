/**
 * @module Adversarial before/after bench, run as `bun bench/adversarial.ts [--root DIR] [--runtimes bun,deno,node]
 * [--only N,N] [--quick]`: reproduces reported server defects (1–7, then issue 18 items 8 and 9) against the `serve` entry of DIR and prints figures.
 */
import { execSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { connectThenDisconnect, nonReadingClient } from "./adversarial-attacks.ts";
import { hugeMarkerBody, largeDownload } from "./adversarial-http.ts";
import { captureAcrossReconnects, halfSentRequests } from "./adversarial-lifecycle.ts";
import { clumsyConnect, hugeFrame, nestedJson } from "./adversarial-limits.ts";
import type { Ctx, Outcome, Runtime } from "./adversarial-server.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const ROOT = resolve(flag("--root", fileURLToPath(new URL("..", import.meta.url))));
const RUNTIMES = flag("--runtimes", "bun,deno,node").split(",").filter(Boolean) as Runtime[];
const ONLY = flag("--only", "1,2,3,4,5,6,7,8,9").split(",").map(Number);
const QUICK = args.includes("--quick");

/** The defects in report order; each never throws on a bad outcome, only when it could not measure. */
const DEFECTS: { n: number; title: string; run: (ctx: Ctx) => Promise<Outcome> }[] = [
  { n: 1, title: "connect immediately followed by disconnect", run: connectThenDisconnect },
  { n: 2, title: "client that does not read", run: nonReadingClient },
  { n: 3, title: "deeply nested JSON", run: nestedJson },
  { n: 4, title: "no inbound size limit", run: hugeFrame },
  { n: 5, title: "clumsy-client traps", run: clumsyConnect },
  { n: 6, title: "half-sent HTTP requests", run: halfSentRequests },
  { n: 7, title: "--capture across reconnects", run: captureAcrossReconnects },
  // issue 18
  { n: 8, title: "huge POST /markers body", run: hugeMarkerBody },
  { n: 9, title: "large downloads", run: largeDownload },
];

const oneLine = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e)).replace(/\s+/g, " ").slice(0, 300);

async function main(): Promise<void> {
  let uptime = "";
  try {
    uptime = execSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    uptime = "(uptime not available)";
  }
  console.log(`uptime: ${uptime}`);
  let rev = "";
  try {
    rev = execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execSync("git status --porcelain -- src", { cwd: ROOT, encoding: "utf8" }).trim();
    rev += dirty ? " + uncommitted changes in src/" : "";
  } catch {
    rev = "not a git checkout";
  }
  console.log(
    `MW75 adversarial bench: server from ${ROOT} (${rev}); runtimes ${
      RUNTIMES.join(", ")
    }; defects ${ONLY.join(",")}${QUICK ? "; --quick" : ""}`,
  );

  const rows = new Map<string, Map<Runtime, string>>();
  const started = performance.now();
  for (const runtime of RUNTIMES) {
    console.log(`\n== server on ${runtime}`);
    for (const d of DEFECTS.filter((x) => ONLY.includes(x.n))) {
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        outcome = await d.run({ runtime, root: ROOT, quick: QUICK });
      } catch (e) {
        outcome = {
          lines: [`${d.n}  ${d.title}: could not measure: ${oneLine(e)}`],
          cells: { [`${d.n} ${d.title}`]: `not measured` },
        };
      }
      for (const line of outcome.lines) console.log(line);
      console.log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      for (const [row, cell] of Object.entries(outcome.cells)) {
        if (!rows.has(row)) rows.set(row, new Map());
        rows.get(row)!.set(runtime, cell);
      }
    }
  }

  console.log(`\nsummary (${((performance.now() - started) / 1000).toFixed(0)} s in all):\n`);
  console.log(`| defect | ${RUNTIMES.join(" | ")} |`);
  console.log(`|---|${RUNTIMES.map(() => "---").join("|")}|`);
  // rows are grouped by defect number even when one runtime failed to produce a row another did
  const sorted = [...rows].sort((a, b) => parseInt(a[0]) - parseInt(b[0]));
  for (const [row, cells] of sorted) {
    console.log(`| ${row} | ${RUNTIMES.map((r) => cells.get(r) ?? "-").join(" | ")} |`);
  }
  console.log(
    "\nnotes: stall = longest gap between a reading client's consecutive eeg_data arrivals (window edges count) in this " +
      "process; RSS from /proc/PID/status of the server (peak = VmHWM over the server's life); close codes as the attacker " +
      "saw them (1006 = TCP ended without a close frame). Expected after the fixes: 1 all idle, 2a 1009, 2b 1013, 4 1009, " +
      "5a INVALID_PARAMETERS, 5b id echoed.",
  );
}

await main();
process.exit(0);
