/** @module The option table of `serve` against the README's options table and --help; its defaults fill the configuration. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { parseServeArgs, USAGE } from "../../src/app/config.ts";
import { optionLabel, OPTIONS } from "../../src/app/options.ts";

const README = new URL("../../README.md", import.meta.url);

/** The rows of the README table whose header is `| Flag | Default | Meaning |`: flag, label, default. */
function readmeOptions(): { flag: string; label: string; default: string }[] {
  const lines = readFileSync(README, "utf8").split("\n");
  const head = lines.findIndex((l) => /^\|\s*Flag\s*\|\s*Default\s*\|/.test(l));
  expect(head).toBeGreaterThan(-1);
  const rows = [];
  // the rows after the header and its separator, up to the first line that is no table row
  for (let i = head + 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
    const [cell = "", dflt = ""] = lines[i]!.split("|").slice(1).map((c) => c.trim());
    const label = /^`([^`]+)`/.exec(cell)?.[1] ?? cell;
    rows.push({ flag: label.split(" ")[0]!, label, default: dflt });
  }
  return rows;
}

describe("the README's options table", () => {
  const rows = readmeOptions();

  test("names every flag of the option table, with its value and default", () => {
    const documented = new Map(rows.map((r) => [r.flag, r]));
    const missing = OPTIONS.filter((o) => !documented.has(o.flag)).map((o) => o.flag);
    expect({ missingFromReadme: missing }).toEqual({ missingFromReadme: [] });
    for (const o of OPTIONS) {
      const row = documented.get(o.flag)!;
      expect({ flag: o.flag, label: row.label, default: row.default }).toEqual({
        flag: o.flag,
        label: optionLabel(o).split(",")[0]!,
        default: o.default ?? "",
      });
    }
  });

  test("names no flag the option table lacks, and each once", () => {
    const known = new Set<string>(OPTIONS.map((o) => o.flag));
    expect({ unknownInReadme: rows.map((r) => r.flag).filter((f) => !known.has(f)) }).toEqual({
      unknownInReadme: [],
    });
    expect(rows.length).toBe(new Set(rows.map((r) => r.flag)).size);
  });
});

describe("the option table", () => {
  test("--help lists every option with its default and variable", () => {
    for (const o of OPTIONS) {
      const lines = USAGE.split("\n");
      const at = lines.findIndex((l) => l.startsWith(`  ${optionLabel(o)} `));
      expect({ flag: o.flag, listed: at >= 0 }).toEqual({ flag: o.flag, listed: true });
      // the option's line and its continuation lines (indented past the flags)
      let end = at + 1;
      while (end < lines.length && /^ {4,}\S/.test(lines[end]!)) end++;
      const block = lines.slice(at, end).join("\n");
      if (o.default !== undefined) expect(block).toContain(`[default: ${o.default}]`);
      if (o.env !== undefined) expect(block).toContain(`[env: ${o.env}]`);
    }
  });

  test("its defaults fill every field: none is left unset", () => {
    const unset: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (value === "" || Number.isNaN(value)) unset.push(path);
      if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
      }
    };
    walk(parseServeArgs([]), "config");
    expect(unset).toEqual([]);
  });

  test("flags, env variables and defaults: one table, distinct names", () => {
    const names = OPTIONS.flatMap((o) => [o.flag, ...(o.short ? [`-${o.short}`] : [])]);
    expect(names.length).toBe(new Set(names).size);
    for (const o of OPTIONS) {
      // a default of a switch would be a value nobody can give
      expect({ flag: o.flag, switchDefault: o.value === undefined && o.default !== undefined })
        .toEqual({ flag: o.flag, switchDefault: false });
    }
  });
});
