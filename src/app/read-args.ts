/**
 * @module The arguments of `serve` read with `node:util` `parseArgs` (the same on Bun, Deno and
 * Node) and judged against the option table token by token, so its messages stay this program's own.
 */
import { parseArgs } from "node:util";
import type { ServeConfig } from "./config.ts";
import { UsageError } from "./option-values.ts";
import { optionNamed, OPTIONS } from "./options.ts";

/** Stores every argument through its option; returns the flags given. */
export function readArgs(args: readonly string[], c: ServeConfig): Set<string> {
  const options = Object.fromEntries(OPTIONS.map((o) => [o.flag.slice(2), {
    type: o.value === undefined ? "boolean" as const : "string" as const,
    multiple: true,
    ...(o.short === undefined ? {} : { short: o.short }),
  }]));
  // not strict: each token is judged below, so the messages stay the ones users and tests know
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = new Set<string>();
  for (const t of tokens) {
    const arg = args[t.index]!;
    if (t.kind !== "option") throw new UsageError(`unknown option "${arg}"`);
    const o = optionNamed(t.rawName);
    // parseArgs splits `-vh` into `-v` and `-h` from one argument: this command line has no groups
    const written = t.inlineValue ? `${t.rawName}=${t.value}` : t.rawName;
    if (o === undefined || written !== arg || (o.value === undefined && t.value !== undefined)) {
      throw new UsageError(`unknown option "${arg}"`);
    }
    if (o.value !== undefined && t.value === undefined) {
      throw new UsageError(`${t.rawName} needs a value`);
    }
    o.set(c, t.value ?? "", t.rawName);
    given.add(o.flag);
  }
  return given;
}
