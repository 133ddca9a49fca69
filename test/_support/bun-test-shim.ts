/** @module Maps the small bun:test surface our suites use (describe, test, expect) onto Deno.test. */
import { expect } from "expect";

type Fn = () => unknown | Promise<unknown>;
const names: string[] = [];

export { expect };

/** Groups tests; Deno has no nesting at registration time, so the group name prefixes each test. */
export function describe(name: string, body: () => void): void {
  names.push(name);
  try {
    body();
  } finally {
    names.pop();
  }
}

function register(name: string, fn: Fn, ignore: boolean): void {
  Deno.test({
    name: [...names, name].join(" > "),
    ignore,
    // servers and child processes are stopped by the tests themselves, not per test
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      await fn();
    },
  });
}

/** Registers one test; the optional timeout argument of bun:test is accepted and ignored. */
export function test(name: string, fn: Fn, _timeoutMs?: number): void {
  register(name, fn, false);
}
test.skip = (name: string, fn: Fn, _timeoutMs?: number): void => register(name, fn, true);
test.skipIf = (cond: boolean) => (cond ? test.skip : test);
export const it = test;
