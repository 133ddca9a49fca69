/** @module The folder graph of src/ read from import text: the allowed arrows, the edges that break them, and folder cycles. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** The name of files that sit directly in src/ (the package and runtime entries). */
export const SRC_ROOT = "(root)";

/**
 * The arrows each top folder of src/ may draw (docs/architecture.md draws the same table). A folder
 * always reaches its own files; every other arrow must be listed here. The cycle check runs on the
 * real graph, so an edit here can permit an arrow but never a cycle.
 */
export const ALLOWED: Record<string, readonly string[]> = {
  decoder: [],
  ports: ["decoder"],
  core: ["decoder", "ports"],
  hub: ["core", "ports", "decoder"],
  protocol: ["core", "decoder", "ports"],
  client: ["protocol", "core", "decoder"],
  dashboard: ["client", "protocol", "core", "decoder"],
  recording: ["core", "protocol", "ports", "decoder", "hub"],
  sources: ["core", "decoder", "ports", "recording"],
  mw75: ["core", "decoder", "ports", "sources"],
  mqtt: ["core", "protocol", "ports", "hub", "decoder"],
  lsl: ["core", "ports", "decoder"],
  metrics: ["core", "protocol"],
  push: ["core", "ports", "protocol"],
  server: ["core", "protocol", "ports", "recording", "hub", "decoder", "metrics"],
  adapters: ["ports", "core", "decoder", "recording", "sources", "mw75"],
  app: [
    "adapters",
    "core",
    "decoder",
    "hub",
    "lsl",
    "mqtt",
    "mw75",
    "ports",
    "protocol",
    "push",
    "recording",
    "server",
    "sources",
  ],
  cli: ["adapters", "core", "decoder", "sources", "ports", "recording"],
  [SRC_ROOT]: [
    "app",
    "adapters",
    "core",
    "protocol",
    "decoder",
    "hub",
    "ports",
    "server",
    "recording",
    "sources",
    "mw75",
    "mqtt",
  ],
};

/** Source text with block and line comments removed (a `//` after `:` is a URL, kept). */
export function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

const IMPORT_RE =
  /(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;

/** Every specifier a module names: static, type-only, side-effect, `export … from` and dynamic imports. */
export function specifiers(source: string): string[] {
  return [...stripComments(source).matchAll(IMPORT_RE)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** The top folder a path under src/ belongs to; files directly in src/ belong to "(root)". */
export function topFolder(path: string): string {
  const parts = normalize(path).split("/");
  if (parts[0] !== "src") throw new Error(`${path} is not under src/`);
  return parts.length > 2 ? parts[1]! : SRC_ROOT;
}

/** One import that crosses folders: the importing file, the specifier as written, and both folders. */
export interface Edge {
  file: string;
  spec: string;
  from: string;
  to: string;
}

/** The cross-folder edges of a set of src/ files given as path → source (relative specifiers only). */
export function folderEdges(files: ReadonlyMap<string, string>): Edge[] {
  const edges: Edge[] = [];
  for (const [file, source] of files) {
    for (const spec of specifiers(source)) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) continue;
      const target = normalize(join(dirname(file), spec));
      if (!target.startsWith("src/")) continue; // e.g. the wasm file outside src/
      const from = topFolder(file), to = topFolder(target);
      if (from !== to) edges.push({ file, spec, from, to });
    }
  }
  return edges;
}

/** The edges the table does not allow, one line each naming the file and its import. */
export function forbiddenEdges(
  edges: readonly Edge[],
  allowed: Record<string, readonly string[]> = ALLOWED,
): string[] {
  const lines = edges.filter((e) => !(allowed[e.from] ?? []).includes(e.to)).map((e) =>
    `${e.file}: imports "${e.spec}" (${e.from} -> ${e.to} is not an allowed arrow)`
  );
  return [...new Set(lines)]; // a type import and a value import of one module are one arrow
}

/** The folder adjacency of a list of edges (each folder's targets, sorted). */
export function adjacency(edges: readonly Edge[]): Map<string, string[]> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!graph.has(from)) graph.set(from, new Set());
    if (!graph.has(to)) graph.set(to, new Set());
    graph.get(from)!.add(to);
  }
  return new Map([...graph].sort().map(([k, v]) => [k, [...v].sort()]));
}

/**
 * The strongly connected components with more than one node (Tarjan's algorithm, iterative so a
 * deep graph cannot overflow the stack); each is a folder cycle. Members come sorted.
 */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), found: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    index.set(start, next), low.set(start, next++), stack.push(start), onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [node, i] = frame;
      const targets = graph.get(node) ?? [];
      if (i < targets.length) {
        frame[1] = i + 1;
        const to = targets[i]!;
        if (!index.has(to)) {
          index.set(to, next), low.set(to, next++), stack.push(to), onStack.add(to);
          work.push([to, 0]);
        } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
      if (low.get(node) !== index.get(node)) continue;
      const component: string[] = [];
      for (let member = ""; member !== node;) {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      }
      if (component.length > 1) found.push(component.sort());
    }
  }
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One line per cycle, with the edges inside it that close it (file and import), for the failure. */
export function describeCycles(edges: readonly Edge[]): string[] {
  return cycles(adjacency(edges)).map((members) => {
    const inside = edges.filter((e) => members.includes(e.from) && members.includes(e.to));
    const arrows = [...new Set(inside.map((e) => `${e.from} -> ${e.to}`))].sort();
    return `cycle {${members.join(", ")}} through ${arrows.join(", ")}`;
  });
}

/** Every .ts file under a folder of the repository, as repo-relative paths (none if it is absent). */
export function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir));
  } catch {
    return [];
  }
  return entries.sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory()
      ? filesUnder(path)
      : path.endsWith(".ts")
      ? [path]
      : [];
  });
}

/** The top folders that exist under src/ (directories only). */
export function srcFolders(): string[] {
  return readdirSync(join(ROOT, "src")).filter((name) =>
    statSync(join(ROOT, "src", name)).isDirectory()
  ).sort();
}

/** Every .ts file under src/ with its text. */
export function readSrc(): Map<string, string> {
  return new Map(filesUnder("src").map((file) => [file, readFileSync(join(ROOT, file), "utf8")]));
}
