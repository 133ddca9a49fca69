/**
 * @module One conformance scenario (a name, what it runs against a `serve` child of one runtime,
 * its timeout) and the suite that runs a table of them. The tables are split by theme and each
 * test file runs one table under one runtime, so that the test runner can spread them over workers.
 */
import { describe, test } from "bun:test";
import type { Runtime } from "../server-process.ts";

export type Scenario = [name: string, run: (runtime: Runtime) => Promise<void>, timeoutMs: number];

/** Registers every scenario of `table` against a server started under `runtime`. */
export function conformanceSuite(table: readonly Scenario[], runtime: Runtime): void {
  describe(runtime, () => {
    for (const [name, run, timeout] of table) test(name, () => run(runtime), timeout);
  });
}
