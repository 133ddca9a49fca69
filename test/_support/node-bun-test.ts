/** @module Maps the bun:test surface our suites use (describe, test, expect) onto node:test. */
import { describe as nodeDescribe, test as nodeTest } from "node:test";
import { expect } from "expect";

type Fn = () => unknown | Promise<unknown>;

export { expect };

export function describe(name: string, body: () => void): void {
  nodeDescribe(name, body);
}

/** Registers one test; bun's optional timeout argument becomes node's timeout option. */
export function test(name: string, fn: Fn, timeoutMs?: number): void {
  nodeTest(name, timeoutMs === undefined ? {} : { timeout: timeoutMs }, async () => {
    await fn();
  });
}
test.skip = (name: string, fn: Fn): void => {
  nodeTest(name, { skip: true }, async () => {
    await fn();
  });
};
test.skipIf = (cond: boolean) => (cond ? test.skip : test);
export const it = test;
