/** @module `--session-ttl`: seconds or a number with s, m, h or d; default 12 h; out of range or malformed is a usage error naming the flag. */
import { describe, expect, test } from "bun:test";
import { parseServeArgs, UsageError } from "../../src/app/config.ts";

const ttl = (...args: string[]) => parseServeArgs(args).access.sessionTtlS;

describe("--session-ttl", () => {
  test("reads seconds and the s, m, h and d suffixes; defaults to 12 h", () => {
    expect(ttl()).toBe(43_200);
    expect(ttl("--session-ttl", "2")).toBe(2);
    expect(ttl("--session-ttl", "90s")).toBe(90);
    expect(ttl("--session-ttl=30m")).toBe(1800);
    expect(ttl("--session-ttl", "12h")).toBe(43_200);
    expect(ttl("--session-ttl", "7d")).toBe(604_800);
  });

  test("refuses zero, fractions, unknown units and more than 30 days", () => {
    for (const bad of ["0", "1.5h", "10w", "h", "", "31d", "-5"]) {
      expect(() => ttl("--session-ttl", bad)).toThrow(UsageError);
    }
    expect(() => ttl("--session-ttl", "10w")).toThrow(/--session-ttl expects a duration/);
  });
});
