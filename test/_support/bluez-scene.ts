/** @module The emulated BlueZ scene of the scan tests: two MW75 headsets (one in lower case) and earbuds carrying the GAIA UUID on a private bus, and a log recorder. */
import type { Logger, LogLevel } from "../../src/ports/logger.ts";
import { MW75_SERVICE_UUID } from "../../src/mw75/status.ts";
import { type FakeBluez, type FakeBluezOptions, startFakeBluez } from "./fake-bluez.ts";

export const FIRST = "A0:B1:C2:D3:E4:75";
export const SECOND = "A0:B1:C2:D3:E4:76";
export const OTHER = "11:22:33:44:55:66";
/** Two headsets (the second given first and in lower case) and earbuds that even carry the GAIA service UUID. */
export const TWO_AND_ONE: FakeBluezOptions = {
  headsets: [
    {
      address: SECOND.toLowerCase(),
      name: "MW75 Neuro Lab",
      rssi: -71,
      paired: false,
      battery: 62,
    },
    { address: FIRST, rssi: -48, paired: true },
  ],
  others: [{
    address: OTHER,
    name: "Pixel Buds",
    rssi: -40,
    paired: true,
    uuids: [MW75_SERVICE_UUID],
  }],
};

export function recorder(): Logger & { lines: [LogLevel, string][] } {
  const lines: [LogLevel, string][] = [];
  return { lines, log: (level, message) => void lines.push([level, message]) };
}

/** Runs `body` with a fake BlueZ on DBUS_SYSTEM_BUS_ADDRESS; tears it down. */
export async function withBluez(
  options: FakeBluezOptions,
  body: (fake: FakeBluez) => Promise<void>,
): Promise<void> {
  const fake = await startFakeBluez(options);
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  process.env.DBUS_SYSTEM_BUS_ADDRESS = fake.busAddress;
  try {
    await body(fake);
  } finally {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    fake.stop();
  }
}
