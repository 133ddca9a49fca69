/** @module Packs the package as npm would publish it, installs the tarball into a fresh temporary project, and runs scripts there under plain node, Bun and Deno. */
import { execFile } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createHash } from "node:crypto";
import { promisify } from "node:util";

const exec = promisify(execFile);
export const ROOT = new URL("../../", import.meta.url).pathname;
/** The package's own name, read rather than assumed, so a rename cannot pass unnoticed. */
export const PACKAGE_NAME: string =
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string }).name;

/** What `npm pack --json` reports about the tarball it wrote. */
export interface Packed {
  tarball: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: string[];
}

/**
 * A lock directory for this checkout's dist/, shared by every process on the machine: `npm pack`
 * rebuilds dist/ in place, and two test workers packing at once (bun --parallel runs the package
 * test files in separate processes) each tarred the other's half-written build.
 */
const PACK_LOCK = join(
  tmpdir(),
  `mw75-pack-lock-${createHash("sha256").update(ROOT).digest("hex").slice(0, 16)}`,
);

/** When PACK_LOCK was made (ms since the epoch; now when it is gone). */
function lockMadeAt(): number {
  try {
    return statSync(PACK_LOCK).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Whether process `pid` is running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `body` holding PACK_LOCK (an atomic mkdir). Polls every 200 ms while another process holds
 * it; a holder that died is taken over. 300 s: a pack takes ~10 s idle, so this waits out a
 * queue of several packs on a loaded machine before it gives up.
 */
async function withPackLock<T>(body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(PACK_LOCK);
      writeFileSync(join(PACK_LOCK, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(PACK_LOCK, "pid"), "utf8"));
      } catch { /* the holder has not written its pid yet, or died before it did */ }
      const orphan = !(holder > 0) && Date.now() - lockMadeAt() > 10_000;
      if (orphan || (Number.isInteger(holder) && holder > 0 && !alive(holder))) {
        rmSync(PACK_LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${PACK_LOCK} still held after 300 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(PACK_LOCK, { recursive: true, force: true });
  }
}

/** `npm pack` into `dest`; its prepack script rebuilds dist/, so the tarball holds current output. */
export async function pack(dest: string): Promise<Packed> {
  const { stdout } = await withPackLock(() =>
    exec("npm", ["pack", "--json", "--silent", "--pack-destination", dest], {
      cwd: ROOT,
      maxBuffer: 1 << 26,
    })
  );
  // prepack's own output (if any) precedes the JSON report
  const [report] = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as {
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string }[];
  }[];
  if (report === undefined) throw new Error(`npm pack reported nothing: ${stdout}`);
  const { size, unpackedSize, entryCount } = report;
  return {
    tarball: join(dest, basename(report.filename)),
    size,
    unpackedSize,
    entryCount,
    files: report.files.map((f) => f.path),
  };
}

/**
 * A new project in `dir` (an empty directory) with the tarball installed the way a user would (`npm install
 * <tarball>`); `--prefer-offline` takes the dependencies from npm's cache when it has them.
 */
export async function installProject(tarball: string, dir: string): Promise<string> {
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "embedding-probe", private: true, type: "module" }),
  );
  await exec("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    tarball,
  ], { cwd: dir, maxBuffer: 1 << 24 });
  return dir;
}

let shared: Promise<{ packed: Packed; project: string }> | null = null;
const SCRATCH_PREFIX = "mw75-package-";

/** Removes the scratch dirs of earlier test processes that have exited (bun fires no exit event to clean up on). */
function removeStaleScratch(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(name.slice(SCRATCH_PREFIX.length));
    if (!name.startsWith(SCRATCH_PREFIX) || !Number.isInteger(pid) || pid === process.pid) continue;
    try {
      process.kill(pid, 0); // still running (another test run): keep it
    } catch {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/**
 * One pack and one install per test process: the package test files that one bun process runs
 * share them (about 15 s) instead of repeating them; worker processes each pack their own, one at
 * a time (see PACK_LOCK). They live in
 * $TMPDIR/mw75-package-<pid>, which the next run removes once this process is gone.
 */
export function packedProject(): Promise<{ packed: Packed; project: string }> {
  shared ??= (async () => {
    removeStaleScratch();
    const scratch = join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}`);
    mkdirSync(join(scratch, "project"), { recursive: true });
    const packed = await pack(scratch);
    const project = await installProject(packed.tarball, join(scratch, "project"));
    return { packed, project };
  })();
  return shared;
}

/** Copies repository files (examples, probe scripts) into the project, keeping their names. */
export function copyInto(dir: string, files: string[]): void {
  for (const file of files) copyFileSync(join(ROOT, file), join(dir, basename(file)));
}

export type Runtime = "node" | "bun" | "deno";

/** The command line that runs `script` in each runtime: plain node (no tsx), and the npm-installed Bun and Deno. */
function commandFor(runtime: Runtime, script: string, args: string[]): [string, string[]] {
  switch (runtime) {
    case "node":
      return ["node", [script, ...args]];
    case "bun":
      return [join(ROOT, "node_modules/.bin/bun"), [script, ...args]];
    case "deno":
      return [join(ROOT, "node_modules/.bin/deno"), [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--no-prompt",
        script,
        ...args,
      ]];
  }
}

/** Runs a script in the project directory; rejects with its stderr when it exits non-zero. */
export async function runIn(
  dir: string,
  runtime: Runtime,
  script: string,
  args: string[] = [],
): Promise<string> {
  const [command, argv] = commandFor(runtime, script, args);
  try {
    const { stdout } = await exec(command, argv, {
      cwd: dir,
      maxBuffer: 1 << 26,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return stdout;
  } catch (error) {
    // tsc reports on stdout, the runtimes on stderr: show both
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${runtime} ${script} failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`,
    );
  }
}
