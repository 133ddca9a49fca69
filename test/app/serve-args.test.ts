/** @module The serve command line: defaults, every flag form, and UsageError for bad input. */
import { describe, expect, test } from "bun:test";
import { parseServeArgs, UsageError } from "../../src/app/config.ts";

describe("parseServeArgs", () => {
  test("defaults", () => {
    const c = parseServeArgs([]);
    expect(c).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      verbose: false,
      sources: [],
      maxClients: 1,
      heartbeatMs: 30_000,
      reconnectBaseMs: 1000,
      rfcommTty: "/dev/rfcomm0",
      scanMs: 4000,
      device: null,
    });
  });

  test("values, --flag=value and switches", () => {
    const c = parseServeArgs([
      "--host=0.0.0.0",
      "--no-auth",
      "--port",
      "0",
      "-v",
      "--source",
      "replay:/tmp/x.bin",
      "--speed",
      "0",
      "--max-clients",
      "4",
      "--sim-fail-opens",
      "2",
      "--sim-corruption=0.5",
      "--sim-tick-ms",
      "2",
      "--sim-unthrottled",
      "--device",
      "AA:BB:CC:DD:EE:FF",
      "--scan-ms",
      "2500",
    ]);
    expect(c).toMatchObject({
      host: "0.0.0.0",
      port: 0,
      verbose: true,
      sources: [{ kind: "replay", path: "/tmp/x.bin" }],
      speed: 0,
      maxClients: 4,
      device: "AA:BB:CC:DD:EE:FF",
      scanMs: 2500,
    });
    expect(c.sim).toEqual({ failOpens: 2, corruptionRate: 0.5, tickMs: 2, unthrottled: true });
    expect(parseServeArgs(["--source", "mw75"]).sources).toEqual([{ kind: "mw75" }]);
    expect(parseServeArgs(["--sim-lead-off", "3, 7"]).sim.leadOffChannels).toEqual([3, 7]);
    expect(parseServeArgs(["--max-message-bytes", "4096"]).maxMessageBytes).toBe(4096);
  });

  test("bad input throws UsageError", () => {
    for (
      const args of [
        ["--nope"],
        ["--port", "70000"],
        ["--port", "x"],
        ["--port"],
        ["--source", "replay:"],
        ["--max-clients", "0"],
        ["--sim-drop", "2"],
        ["--verbose=1"],
        ["--speed", "2"],
        ["--sim-lead-off", "0"],
        ["--sim-lead-off", "13"],
        ["--sim-lead-off", "3,3"],
        ["--sim-lead-off", "x"],
        ["--max-message-bytes", "10"],
      ]
    ) {
      expect(() => parseServeArgs(args)).toThrow(UsageError);
    }
  });
});

describe("devices on the command line", () => {
  test("one simulated device by default, with the seed a single simulator always had", () => {
    const [only, ...rest] = parseServeArgs([]).devices;
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      identity: { id: "sim-1", kind: "sim" },
      source: { kind: "sim" },
      sim: { seed: 1 },
    });
  });

  test("--sim-devices N: sim-1…sim-N with their own seeds; a scoped flag reaches one device only", () => {
    const c = parseServeArgs([
      "--sim-devices",
      "3",
      "--sim-seed",
      "10",
      "--sim-drop",
      "0.01",
      "--sim-link-loss-ms",
      "sim-2=1500",
      "--sim-lead-off",
      "sim-3=3,7",
    ]);
    expect(
      c.devices.map((
        d,
      ) => [
        d.identity.id,
        d.sim.seed,
        d.sim.dropRate,
        d.sim.linkLossAfterMs,
        d.sim.leadOffChannels,
      ]),
    ).toEqual([
      ["sim-1", 10, 0.01, undefined, undefined],
      ["sim-2", 11, 0.01, 1500, undefined],
      ["sim-3", 12, 0.01, undefined, [3, 7]],
    ]);
    expect(new Set(c.devices.map((d) => d.identity.address)).size).toBe(3);
  });

  test("--source repeated: ids per kind in order, headsets by address with their own tty", () => {
    const c = parseServeArgs([
      "--source",
      "mw75:aa:bb:cc:dd:ee:01",
      "--rfcomm-tty",
      "AA:BB:CC:DD:EE:01=/dev/rfcomm0",
      "--source",
      "replay:/tmp/a.bin",
      "--source",
      "mw75:AA:BB:CC:DD:EE:02",
      "--rfcomm-tty",
      "aa:bb:cc:dd:ee:02=/dev/rfcomm1",
      "--source",
      "sim",
    ]);
    expect(
      c.devices.map((
        d,
      ) => [d.identity.id, d.identity.address, d.source.kind === "mw75" ? d.rfcommTty : null]),
    ).toEqual([
      ["mw75-AABBCCDDEE01", "AA:BB:CC:DD:EE:01", "/dev/rfcomm0"],
      ["replay-1", null, null],
      ["mw75-AABBCCDDEE02", "AA:BB:CC:DD:EE:02", "/dev/rfcomm1"],
      ["sim-1", "02:00:00:00:00:01", null],
    ]);
    // a single headset keeps --device and --rfcomm-tty PATH
    expect(
      parseServeArgs([
        "--source",
        "mw75",
        "--device",
        "AA:BB:CC:DD:EE:FF",
        "--rfcomm-tty",
        "/dev/rfcomm3",
      ]).devices[0],
    )
      .toMatchObject({
        identity: { id: "mw75-AABBCCDDEEFF", address: "AA:BB:CC:DD:EE:FF" },
        rfcommTty: "/dev/rfcomm3",
      });
    expect(parseServeArgs(["--source", "mw75"]).devices[0]).toMatchObject({
      identity: { id: "mw75-1", address: null },
      rfcommTty: "/dev/rfcomm0",
    });
  });

  test("command lines that would mix devices up are refused with what to do", () => {
    const cases: [string[], RegExp][] = [
      [
        ["--source", "mw75:AA:BB:CC:DD:EE:01", "--source", "mw75:AA:BB:CC:DD:EE:02"],
        /--rfcomm-tty AA:BB:CC:DD:EE:0\d=/,
      ],
      [[
        "--source",
        "mw75",
        "--source",
        "mw75:AA:BB:CC:DD:EE:02",
        "--rfcomm-tty",
        "AA:BB:CC:DD:EE:02=/dev/rfcomm1",
      ], /needs its address/],
      [[
        "--source",
        "mw75:AA:BB:CC:DD:EE:01",
        "--source",
        "mw75:aa:bb:cc:dd:ee:01",
        "--rfcomm-tty",
        "AA:BB:CC:DD:EE:01=/dev/rfcomm1",
      ], /listed twice/],
      [[
        "--source",
        "mw75:AA:BB:CC:DD:EE:01",
        "--rfcomm-tty",
        "AA:BB:CC:DD:EE:01=/dev/x",
        "--source",
        "mw75:AA:BB:CC:DD:EE:02",
        "--rfcomm-tty",
        "AA:BB:CC:DD:EE:02=/dev/x",
      ], /same RFCOMM tty/],
      [
        ["--sim-devices", "2", "--sim-drop", "sim-3=0.1"],
        /names sim-3, but the devices are sim-1, sim-2/,
      ],
      [["--sim-devices", "2", "--capture", "/tmp/c.bin"], /--record raw/],
      [["--source", "mw75:zz"], /Bluetooth address/],
      [["--sim-devices", "0"], /between 1 and 1000/],
    ];
    for (const [args, message] of cases) {
      let error: unknown;
      try {
        parseServeArgs(args);
      } catch (e) {
        error = e;
      }
      expect({ args, usage: error instanceof UsageError, message: String(error) }).toMatchObject({
        args,
        usage: true,
        message: expect.stringMatching(message),
      });
    }
  });
});
