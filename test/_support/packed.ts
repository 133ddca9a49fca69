/** @module Packs the package as npm would publish it, installs the tarball into a fresh temporary project, and runs scripts there under plain node, Bun and Deno. */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
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

/** `npm pack` into `dest`; its prepack script rebuilds dist/, so the tarball holds current output. */
export async function pack(dest: string): Promise<Packed> {
  const { stdout } = await exec("npm", ["pack", "--json", "--silent", "--pack-destination", dest], {
    cwd: ROOT,
    maxBuffer: 1 << 26,
  });
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
 * One pack and one install per test process: bun runs every test file in one process, so the
 * package test files share them (about 15 s) instead of repeating them. They live in
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
