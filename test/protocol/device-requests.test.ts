/** @module scan_devices and connect_device data: defaults, ranges, and INVALID_PARAMETERS naming the field. */
import { describe, expect, test } from "bun:test";
import { parseConnectDevice, parseScan } from "../../src/protocol/device-requests.ts";

describe("device requests", () => {
  test("scan_devices: duration_s 1–30, default 4", () => {
    expect(parseScan(undefined)).toEqual({ ok: true, value: { durationS: 4 } });
    expect(parseScan({ duration_s: 1 })).toEqual({ ok: true, value: { durationS: 1 } });
    expect(parseScan({ duration_s: 30 })).toEqual({ ok: true, value: { durationS: 30 } });
    for (const bad of [0, 31, -1, "4", null, Infinity]) {
      const r = parseScan({ duration_s: bad });
      expect({ bad, r }).toMatchObject({
        bad,
        r: {
          ok: false,
          code: "INVALID_PARAMETERS",
          message: expect.stringContaining("duration_s"),
        },
      });
    }
    expect(parseScan({ seconds: 2 })).toMatchObject({
      ok: false,
      code: "INVALID_PARAMETERS",
      message: expect.stringContaining("seconds"),
    });
    expect(parseScan([1])).toMatchObject({ ok: false, code: "INVALID_PARAMETERS" });
  });

  test("connect_device: a Bluetooth address (upper-cased), an optional absolute tty", () => {
    expect(parseConnectDevice({ address: "aa:bb:cc:dd:ee:ff" })).toEqual({
      ok: true,
      value: { address: "AA:BB:CC:DD:EE:FF", rfcommTty: null },
    });
    expect(parseConnectDevice({ address: "AA:BB:CC:DD:EE:FF", rfcomm_tty: "/dev/rfcomm2" }))
      .toEqual({ ok: true, value: { address: "AA:BB:CC:DD:EE:FF", rfcommTty: "/dev/rfcomm2" } });
    for (
      const data of [{}, { address: "zz" }, { address: "AA:BB:CC:DD:EE" }, { address: 5 }, {
        address: "AA:BB:CC:DD:EE:FF",
        rfcomm_tty: "rfcomm2",
      }]
    ) {
      const r = parseConnectDevice(data);
      expect({ data, r }).toMatchObject({
        data,
        r: {
          ok: false,
          code: "INVALID_PARAMETERS",
          message: expect.stringMatching(/address|rfcomm_tty/),
        },
      });
    }
  });
});
