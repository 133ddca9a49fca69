/** @module The serve command line: defaults, every flag form, and UsageError for bad input. */
import { describe, expect, test } from "bun:test";
import { UsageError, parseServeArgs } from "../../src/config.ts";

describe("parseServeArgs", () => {
  test("defaults", () => {
    const c = parseServeArgs([]);
    expect(c).toMatchObject({ host: "127.0.0.1", port: 8080, verbose: false, source: { kind: "sim" }, maxClients: 1, heartbeatMs: 30_000, reconnectBaseMs: 1000, rfcommTty: "/dev/rfcomm0", scanMs: 4000, device: null });
  });

  test("values, --flag=value and switches", () => {
    const c = parseServeArgs([
      "--host=0.0.0.0", "--no-auth", "--port", "0", "-v", "--source", "replay:/tmp/x.bin", "--speed", "0", "--max-clients", "4",
      "--sim-fail-opens", "2", "--sim-corruption=0.5", "--sim-tick-ms", "2", "--sim-unthrottled", "--device", "AA:BB:CC:DD:EE:FF", "--scan-ms", "2500",
    ]);
    expect(c).toMatchObject({ host: "0.0.0.0", port: 0, verbose: true, source: { kind: "replay", path: "/tmp/x.bin" }, speed: 0, maxClients: 4, device: "AA:BB:CC:DD:EE:FF", scanMs: 2500 });
    expect(c.sim).toEqual({ failOpens: 2, corruptionRate: 0.5, tickMs: 2, unthrottled: true });
    expect(parseServeArgs(["--source", "mw75"]).source).toEqual({ kind: "mw75" });
    expect(parseServeArgs(["--sim-lead-off", "3, 7"]).sim.leadOffChannels).toEqual([3, 7]);
    expect(parseServeArgs(["--max-message-bytes", "4096"]).maxMessageBytes).toBe(4096);
  });

  test("bad input throws UsageError", () => {
    for (const args of [["--nope"], ["--port", "70000"], ["--port", "x"], ["--port"], ["--source", "replay:"], ["--max-clients", "0"], ["--sim-drop", "2"], ["--verbose=1"], ["--speed", "2"], ["--sim-lead-off", "0"], ["--sim-lead-off", "13"], ["--sim-lead-off", "3,3"], ["--sim-lead-off", "x"], ["--max-message-bytes", "10"]]) {
      expect(() => parseServeArgs(args)).toThrow(UsageError);
    }
  });
});
