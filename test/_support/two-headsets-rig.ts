/** @module The rig of the two-headsets test: a fake BlueZ with two MW75s and earbuds, one pty per headset fed its own packets at 500 Hz, and the checks that tell the headsets' samples apart. */
import { expect } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UV_PER_COUNT } from "../../src/decoder/types.ts";
import { buildPacket } from "../../src/sources/packet-builder.ts";
import { type FakeBluez, startFakeBluez } from "./fake-bluez.ts";
import type { Client, Msg } from "./mw75-server.ts";
import { feedPackets, type PtyPair, rawChannelsFor, startPtyPair } from "./pty-pair.ts";

export const ENABLE_EEG = "write 099a036001";
export const ENABLE = [ENABLE_EEG, "write 099a034101", "write 099a0314ff"];
export const DISABLE = ["write 099a034100", "write 099a036000"];
export const PIXEL = "11:22:33:44:55:66";

/** One emulated headset, its pty and the value offset that makes its packets unlike the other's. */
export interface Headset {
  address: string;
  id: string;
  name: string;
  rssi: number;
  paired: boolean;
  battery: number;
  salt: number;
}
export const HEADSETS: Headset[] = [
  {
    address: "A0:B1:C2:D3:E4:75",
    id: "mw75-A0B1C2D3E475",
    name: "MW75 Neuro",
    rssi: -48,
    paired: true,
    battery: 85,
    salt: 0,
  },
  {
    address: "A0:B1:C2:D3:E4:76",
    id: "mw75-A0B1C2D3E476",
    name: "MW75 Neuro Lab",
    rssi: -71,
    paired: false,
    battery: 62,
    salt: 1000,
  },
];

/** Raw channel values of headset `h`'s packet `counter` (salt 1000 shifts every value by 17000 mod 20000). */
const rawOf = (h: Headset, counter: number) => rawChannelsFor(counter + h.salt);
const packetsOf = (h: Headset, count: number) =>
  Array.from(
    { length: count },
    (_, k) => buildPacket({ counter: k & 0xff, rawChannels: rawOf(h, k & 0xff) }),
  );

/** Fake BlueZ with both headsets and the earbuds, one pty pair per headset, each fed its own packets at 500 Hz. */
export interface Rig {
  fake: FakeBluez;
  dir: string;
  /** The server-side end of each headset's pty, by address. */
  tty: Map<string, string>;
  stopFeeding(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function makeRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-two-"));
  const ptys: PtyPair[] = [];
  const feeders: Promise<unknown>[] = [];
  let feeding = true;
  let fake: FakeBluez | undefined;
  const stopFeeding = async () => {
    feeding = false;
    await Promise.all(feeders);
  };
  const cleanup = async () => {
    await stopFeeding();
    for (const p of ptys) p.stop();
    fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    fake = await startFakeBluez({
      headsets: HEADSETS.map(({ address, name, rssi, paired, battery }) => ({
        address,
        name,
        rssi,
        paired,
        battery,
      })),
      others: [{ address: PIXEL, name: "Pixel Buds", rssi: -40 }],
    });
    const tty = new Map<string, string>();
    for (const [i, h] of HEADSETS.entries()) {
      const pty = await startPtyPair(join(dir, `in${i}`), join(dir, `tty${i}`));
      ptys.push(pty);
      tty.set(h.address, pty.b);
      feeders.push(feedPackets(pty.a, packetsOf(h, 100_000), 500, () => !feeding).catch(() => 0));
    }
    return { fake, dir, tty, stopFeeding, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Every channel of an eeg_data message against the raw values headset `h`'s pty carried for its counter. */
export function expectChannelsOf(h: Headset, m: Msg): void {
  const channels = m.data.channels as Record<string, number>;
  const raw = rawOf(h, m.data.counter as number);
  expect(m.data.event_id).toBe(239);
  for (let c = 0; c < 12; c++) {
    expect(channels[`ch${c + 1}`]).toBeCloseTo(raw[c]! * UV_PER_COUNT, 4);
  }
}

export async function collectEeg(
  client: Client,
  count: number,
  timeoutMs: number,
  what: string,
): Promise<Msg[]> {
  const got: Msg[] = [];
  while (got.length < count) {
    got.push(
      await client.next(
        (m) => m.type === "eeg_data",
        timeoutMs,
        `${what} eeg_data #${got.length + 1}`,
      ),
    );
  }
  return got;
}

export const countOf = (events: string[], line: string) => events.filter((e) => e === line).length;
export const byId = (list: Msg) =>
  new Map(
    (list.data.devices as Array<Record<string, unknown>>).map((d) => [d.device_id as string, d]),
  );
