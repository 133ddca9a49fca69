/** @module The folder graph of src/: every folder has stated arrows, no import breaks them, no folders form a cycle. */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  adjacency,
  ALLOWED,
  cycles,
  describeCycles,
  type Edge,
  folderEdges,
  forbiddenEdges,
  readSrc,
  ROOT,
  specifiers,
  SRC_ROOT,
  srcFolders,
  topFolder,
} from "../_support/architecture-graph.ts";

/** A graph given as "a>b" arrows, for the hand-made fixtures below. */
function graph(...arrows: string[]): Map<string, string[]> {
  return adjacency(arrows.map((a) => {
    const [from, to] = a.split(">") as [string, string];
    return { file: `src/${from}/x.ts`, spec: `../${to}/y.ts`, from, to };
  }));
}

describe("architecture: the folder graph checker", () => {
  test("reads every kind of import as text, type imports, re-exports and dynamic imports included", () => {
    const source = [
      `import { a } from "./a.ts";`,
      `import type { B } from "../core/b.ts";`,
      `export * from "../c.ts";`,
      `export type { D } from "../ports/d.ts";`,
      `import "./side-effect.ts";`,
      `const e = await import("../sources/e.ts");`,
      `// import { f } from "../server/f.ts";`,
      `/* import { g } from "../server/g.ts"; */`,
    ].join("\n");
    expect(specifiers(source)).toEqual([
      "./a.ts",
      "../core/b.ts",
      "../c.ts",
      "../ports/d.ts",
      "./side-effect.ts",
      "../sources/e.ts",
    ]);
  });

  test("names a file by its top folder; files directly in src/ are the root", () => {
    expect(topFolder("src/mod.ts")).toBe(SRC_ROOT);
    expect(topFolder("src/core/ring.ts")).toBe("core");
    expect(topFolder("src/server/streams/router.ts")).toBe("server");
    expect(() => topFolder("test/x.ts")).toThrow();
  });

  test("builds cross-folder edges only, resolving relative paths and ignoring packages", () => {
    const files = new Map([
      ["src/core/a.ts", `import { b } from "./b.ts";\nimport type { P } from "../ports/p.ts";`],
      ["src/server/streams/r.ts", `import { a } from "../../core/a.ts";\nimport "hono";`],
      ["src/mod.ts", `export * from "./app/main.ts";`],
      ["src/decoder/w.ts", `const w = await import("../../wasm/decoder.wasm");`],
    ]);
    expect(folderEdges(files).map((e: Edge) => `${e.from}>${e.to}`)).toEqual([
      "core>ports",
      "server>core",
      `${SRC_ROOT}>app`,
    ]);
  });

  test("reports each arrow the table does not allow, naming the file and the import", () => {
    const edges = folderEdges(
      new Map([
        ["src/core/a.ts", `import { x } from "../protocol/x.ts";`],
        ["src/protocol/x.ts", `import { a } from "../core/a.ts";`],
      ]),
    );
    expect(forbiddenEdges(edges)).toEqual([
      `src/core/a.ts: imports "../protocol/x.ts" (core -> protocol is not an allowed arrow)`,
    ]);
    expect(forbiddenEdges(edges, { core: ["protocol"], protocol: ["core"] })).toEqual([]);
  });

  test("finds every cycle, including one a permissive table would allow", () => {
    expect(cycles(graph("a>b", "b>c", "c>d"))).toEqual([]);
    expect(cycles(graph("a>b", "b>a"))).toEqual([["a", "b"]]);
    expect(cycles(graph("a>b", "b>c", "c>a", "c>d", "d>e", "e>d", "f>a"))).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
    // a diamond is not a cycle
    expect(cycles(graph("a>b", "a>c", "b>d", "c>d"))).toEqual([]);
    const edges = folderEdges(
      new Map([
        ["src/mqtt/p.ts", `import { c } from "../config.ts";`],
        ["src/config.ts", `import { p } from "./mqtt/p.ts";`],
      ]),
    );
    expect(describeCycles(edges)).toEqual([
      `cycle {${SRC_ROOT}, mqtt} through ${SRC_ROOT} -> mqtt, mqtt -> ${SRC_ROOT}`,
    ]);
  });

  test("passes a clean graph: the allowed table drawn as files has no forbidden arrow and no cycle", () => {
    const files = new Map<string, string>();
    for (const [from, targets] of Object.entries(ALLOWED)) {
      const file = from === SRC_ROOT ? "src/entry.ts" : `src/${from}/m.ts`;
      const prefix = from === SRC_ROOT ? "./" : "../";
      files.set(
        file,
        targets.map((to) => `import type { T } from "${prefix}${to}/m.ts";`).join("\n"),
      );
    }
    const edges = folderEdges(files);
    expect(edges.length).toBe(Object.values(ALLOWED).flat().length);
    expect(forbiddenEdges(edges)).toEqual([]);
    expect(describeCycles(edges)).toEqual([]);
  });

  test("the table itself names only known folders and draws no cycle", () => {
    const known = Object.keys(ALLOWED);
    expect(Object.values(ALLOWED).flat().filter((to) => !known.includes(to))).toEqual([]);
    expect(cycles(new Map(Object.entries(ALLOWED)))).toEqual([]);
  });
});

describe("architecture: the folder graph of src/", () => {
  const edges = folderEdges(readSrc());

  test("every folder under src/ has its arrows stated in the table", () => {
    expect(srcFolders().length).toBeGreaterThan(5);
    expect(srcFolders().filter((folder) => !(folder in ALLOWED))).toEqual([]);
  });

  test("every import between folders follows an allowed arrow", () => {
    expect(edges.length).toBeGreaterThan(20); // the reader finds the real imports
    expect(forbiddenEdges(edges)).toEqual([]);
  });

  test("no folders form a cycle (type imports included)", () => {
    expect(describeCycles(edges)).toEqual([]);
  });

  test("src/ itself holds only the package entry and the runtime entries (the serve command is in src/app/)", () => {
    const rootFiles = readdirSync(join(ROOT, "src")).filter((name) => name.endsWith(".ts")).sort();
    expect(rootFiles).toEqual(["bun.ts", "deno.ts", "mod.ts", "node.ts"]);
  });
});
