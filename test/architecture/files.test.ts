/** @module Every src/ file stays small, and every protocol document it cites is a file of this repository. */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readSrc, ROOT } from "../_support/architecture-graph.ts";

const MAX_LINES = 300;
/** Generated from src/dashboard by web/build.ts: one long line, not read by people. */
const GENERATED = /(^|\/)dashboard-asset\.ts$/;
/** A document path cited in a comment, e.g. docs/protocol/bridge-api.md. */
const DOC_PATH = /\bdocs\/[\w./-]+\.md\b/g;
/** The design input's names, cited without a path a clone of this repository can open. */
const BARE_CITE = /BRIDGE-API|MW75\.md/g;

/** Files over the line budget, one line each (the formatter's output is committed, so its lines count). */
export function oversized(files: ReadonlyMap<string, string>, max = MAX_LINES): string[] {
  return [...files].filter(([file]) => !GENERATED.test(file)).flatMap(([file, source]) => {
    const lines = source.endsWith("\n") ? source.split("\n").length - 1 : source.split("\n").length;
    return lines > max ? [`${file}: ${lines} lines (budget ${max})`] : [];
  });
}

/** Citations that a reader of the repository cannot follow: missing docs/ files and bare design-input names. */
export function badCitations(
  files: ReadonlyMap<string, string>,
  exists: (path: string) => boolean,
): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    if (GENERATED.test(file)) continue;
    source.split("\n").forEach((line, i) => {
      for (const [path] of line.matchAll(DOC_PATH)) {
        if (!exists(path)) {
          found.push(`${file}:${i + 1}: cites ${path}, which is not in the repository`);
        }
      }
      for (const [name] of line.matchAll(BARE_CITE)) {
        found.push(`${file}:${i + 1}: cites ${name} without its path under docs/protocol/`);
      }
    });
  }
  return found;
}

describe("architecture: files", () => {
  const src = readSrc();

  test("the checkers recognise long files, missing documents and bare design-input names", () => {
    const files = new Map([
      ["src/a.ts", "x\n".repeat(301)],
      ["src/b.ts", "x\n".repeat(300)],
      ["src/server/dashboard-asset.ts", "x\n".repeat(999)],
      ["src/c.ts", "// see docs/protocol/bridge-api.md §2.3 and docs/gone.md\n"],
      ["src/d.ts", "/** (BRIDGE-API §4.1), MW75.md §3.7 */\n"],
    ]);
    expect(oversized(files)).toEqual(["src/a.ts: 301 lines (budget 300)"]);
    expect(badCitations(files, (path) => path !== "docs/gone.md")).toEqual([
      "src/c.ts:1: cites docs/gone.md, which is not in the repository",
      "src/d.ts:1: cites BRIDGE-API without its path under docs/protocol/",
      "src/d.ts:1: cites MW75.md without its path under docs/protocol/",
    ]);
  });

  test(`every src file is at most ${MAX_LINES} lines`, () => {
    expect(src.size).toBeGreaterThan(50);
    expect(oversized(src)).toEqual([]);
  });

  test("every document cited in src/ is a file of this repository, named by its path", () => {
    expect(badCitations(src, (path) => existsSync(join(ROOT, path)))).toEqual([]);
  });
});
