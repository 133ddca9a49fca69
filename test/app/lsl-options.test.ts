/** @module The LSL flags of `serve` (docs/protocol/bridge-api.md §10): defaults, values, and refusals that name the flag. */
import { describe, expect, test } from "bun:test";
import { parseServeArgs, UsageError } from "../../src/app/config.ts";

function message(args: string[]): string {
  try {
    parseServeArgs(args);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  return "accepted";
}

describe("parseServeArgs (LSL flags)", () => {
  test("LSL is off by default; the table's defaults are MW75_EEG, site and default", () => {
    const c = parseServeArgs([]);
    expect(c.lsl).toEqual({
      enabled: false,
      name: "MW75_EEG",
      markersQuery: null,
      scope: "site",
      sessionId: "default",
      knownPeers: [],
    });
  });

  test("every flag is stored", () => {
    const c = parseServeArgs([
      "--lsl",
      "--lsl-name",
      "Lab_EEG",
      "--lsl-markers",
      "type='Markers'",
      "--lsl-scope",
      "machine",
      "--lsl-session-id",
      "exp1",
      "--lsl-known-peers",
      "10.0.0.2, host-b",
      "--bridge-id",
      "pc1",
    ]);
    expect(c.lsl).toEqual({
      enabled: true,
      name: "Lab_EEG",
      markersQuery: "type='Markers'",
      scope: "machine",
      sessionId: "exp1",
      knownPeers: ["10.0.0.2", "host-b"],
    });
    expect(c.mqtt.bridgeId).toBe("pc1");
  });

  test("the marker inlet works without outlets, and takes the scope flags", () => {
    const c = parseServeArgs(["--lsl-markers", "name='PsychoPy'", "--lsl-scope", "link"]);
    expect(c.lsl.enabled).toBe(false);
    expect(c.lsl.scope).toBe("link");
  });

  test("bad values and flags that would do nothing are refused, naming the flag", () => {
    expect(message(["--lsl", "--lsl-scope", "global"])).toBe(
      '--lsl-scope is one of machine, link, site, got "global"',
    );
    expect(message(["--lsl", "--lsl-name", ""])).toMatch(/--lsl-name/);
    expect(message(["--lsl", "--lsl-name", "a\nb"])).toBe(
      "--lsl-name must not contain control characters",
    );
    expect(message(["--lsl", "--lsl-known-peers", "a,,b"])).toMatch(
      /--lsl-known-peers is a comma-separated list/,
    );
    expect(message(["--lsl-name", "X"])).toBe("--lsl-name only applies with --lsl");
    expect(message(["--lsl-scope", "machine", "--lsl-session-id", "s"])).toBe(
      "--lsl-scope and --lsl-session-id only apply with --lsl or --lsl-markers",
    );
    expect(message(["--bridge-id", "pc1"])).toBe(
      "--bridge-id only applies with --mqtt URL (--bridge-id also with --lsl)",
    );
    expect(message(["--lsl", "--bridge-id", "pc1"])).toBe("accepted");
  });
});
