/** @module Starts a private dbus-daemon with python-dbusmock's BlueZ template extended by an emulated MW75 (bluez-mw75.py). */
import { execFile, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bluezOwned, BUS_CONFIG, firstLine, killPid, sleep } from "./private-bus.ts";

const TEMPLATE = fileURLToPath(new URL("./bluez-mw75.py", import.meta.url));
/** Only Debian's python sees python3-dbusmock and python3-gi. */
const PYTHON = "/usr/bin/python3";

/** One emulated device (see bluez-mw75.py); absent fields take the defaults listed. */
export interface FakeDevice {
  /** AA:BB:CC:DD:EE:FF (upper-cased by the mock). */
  address: string;
  /** Default "MW75 Neuro" for a headset, the address for another device. */
  name?: string;
  /** BlueZ's Alias (what `bluetoothctl devices` shows); default the name. */
  alias?: string;
  /** dBm; null: the device has no RSSI property. Default -79. */
  rssi?: number | null;
  /** Default true for a headset, false for another device. */
  paired?: boolean;
  /** Headsets only; default the global option. */
  battery?: number;
  /** Headsets only; default the global option. */
  confirmRaw?: boolean;
  /** Default the global option. */
  advertise?: boolean;
  /** When the device shows up after discovery starts; default 300 ms. */
  seenAfterMs?: number;
  /** Device1.UUIDs; default [the MW75 service] for a headset, [] for another device. */
  uuids?: string[];
}

/** How the emulated BlueZ behaves (see bluez-mw75.py). */
export interface FakeBluezOptions {
  advertise?: boolean;
  confirmRaw?: boolean;
  battery?: number;
  powered?: boolean;
  adapter?: boolean;
  /** Address of the one headset when `headsets` is absent. */
  address?: string;
  /** MW75 headsets, each with its own GATT service; default one at `address` (A0:B1:C2:D3:E4:75). */
  headsets?: FakeDevice[];
  /** Non-MW75 devices (no GATT service); default none. */
  others?: FakeDevice[];
  /** False: only the dbus-daemon runs and nothing owns org.bluez ("BlueZ not running"). Default true. */
  bluez?: boolean;
}

/** Changes ConfigureMw75 accepts: with `address` only that device's, else every headset's (advertise: every device's). */
export interface FakeBluezChange {
  address?: string;
  advertise?: boolean;
  confirmRaw?: boolean;
  battery?: number;
  rssi?: number | null;
  paired?: boolean;
}

/** What one device did, per the mock's record. */
export interface FakeDeviceEvents {
  /** This device's events, in the form of FakeBluez.events(). */
  events(): string[];
  /** Resolves once `pred(events())` holds; rejects after `timeoutMs`. */
  waitFor(pred: (events: string[]) => boolean, timeoutMs: number, what: string): Promise<string[]>;
}

/** A running private bus with the mock on it. */
export interface FakeBluez {
  /** Value for DBUS_SYSTEM_BUS_ADDRESS. */
  readonly busAddress: string;
  /** The first emulated headset's address (upper-case). */
  readonly address: string;
  /** Every emulated headset's address, upper-case, in the order given. */
  readonly headsets: readonly string[];
  /** Events the mock recorded, of all devices: "connect", "disconnect", "notify-on", "write 099a036001", … */
  events(): string[];
  /** The same events prefixed by the device address: "A0:B1:C2:D3:E4:75 write 099a036001". */
  taggedEvents(): string[];
  /** Resolves once `pred(events())` holds; rejects after `timeoutMs`. */
  waitFor(pred: (events: string[]) => boolean, timeoutMs: number, what: string): Promise<string[]>;
  /** The events of the one device at `address` (any case). */
  device(address: string): FakeDeviceEvents;
  /** Changes the running mock (ConfigureMw75). */
  configure(options: FakeBluezChange): Promise<void>;
  /** Kills the mock alone (BlueZ crashed; the bus stays); idempotent. */
  stopBluez(): void;
  /** Kills the mock and the bus by PID and removes the temp dir; idempotent. */
  stop(): void;
}

function waitUntil(
  read: () => string[],
  pred: (events: string[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  return (async () => {
    for (;;) {
      const now = read();
      if (pred(now)) return now;
      if (Date.now() > end) throw new Error(`mock never saw ${what}; events: ${now.join(", ")}`);
      await sleep(50);
    }
  })();
}

const wire = (d: FakeDevice) => ({
  address: d.address,
  name: d.name,
  alias: d.alias,
  rssi: d.rssi,
  paired: d.paired,
  battery: d.battery,
  confirm_raw: d.confirmRaw,
  advertise: d.advertise,
  seen_after_ms: d.seenAfterMs,
  uuids: d.uuids,
});

/** Starts bus + mock and waits (bounded) until org.bluez is on the bus (with `bluez: false`, the bus alone). */
export async function startFakeBluez(options: FakeBluezOptions = {}): Promise<FakeBluez> {
  const dir = mkdtempSync(join(tmpdir(), "mw75-bluez-"));
  const record = join(dir, "events.log");
  const headsets = (options.headsets ?? [{ address: options.address ?? "A0:B1:C2:D3:E4:75" }]).map((
    h,
  ) => h.address.toUpperCase());
  writeFileSync(join(dir, "bus.conf"), BUS_CONFIG(join(dir, "bus.sock")));
  let daemon: ChildProcess | undefined;
  let mock: ChildProcess | undefined;
  let mockLog = "";
  const stop = () => {
    killPid(mock);
    killPid(daemon);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    daemon = spawn("dbus-daemon", [
      `--config-file=${join(dir, "bus.conf")}`,
      "--nofork",
      "--print-address",
    ], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    // dbus-daemon prints its address within ms; 5 s is for a loaded machine
    const busAddress = await firstLine(daemon, 5000);
    const params = {
      record,
      address: headsets[0],
      advertise: options.advertise ?? true,
      confirm_raw: options.confirmRaw ?? true,
      battery: options.battery ?? 85,
      powered: options.powered ?? true,
      adapter: options.adapter ?? true,
      ...(options.headsets ? { headsets: options.headsets.map(wire) } : {}),
      others: (options.others ?? []).map(wire),
    };
    if (options.bluez ?? true) {
      mock = spawn(PYTHON, [
        "-m",
        "dbusmock",
        "--system",
        "-t",
        TEMPLATE,
        "-p",
        JSON.stringify(params),
      ], {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: busAddress },
      });
      const keep = (d: Uint8Array) =>
        void (mockLog = (mockLog + new TextDecoder().decode(d)).slice(-4000));
      mock.stdout!.on("data", keep);
      mock.stderr!.on("data", keep);
      // Python starting dbusmock and claiming org.bluez takes ~0.5 s when idle: 10 s is 20× that
      const deadline = Date.now() + 10_000;
      while (!(await bluezOwned(busAddress))) {
        if (mock.exitCode !== null || Date.now() > deadline) {
          throw new Error(`dbusmock did not come up:\n${mockLog}`);
        }
        await sleep(100);
      }
    }
    const tagged = () => (existsSync(record)
      ? readFileSync(record, "utf8").split("\n").filter((l) =>
        l !== ""
      )
      : []);
    // each line is "<ADDRESS> <event>"; the address never contains a space
    const untag = (line: string) => line.slice(line.indexOf(" ") + 1);
    const events = () => tagged().map(untag);
    return {
      busAddress,
      address: headsets[0]!,
      headsets,
      events,
      taggedEvents: tagged,
      waitFor: (pred, timeoutMs, what) => waitUntil(events, pred, timeoutMs, what),
      device(address) {
        const prefix = `${address.toUpperCase()} `;
        const own = () => tagged().filter((l) => l.startsWith(prefix)).map(untag);
        return {
          events: own,
          waitFor: (pred, timeoutMs, what) =>
            waitUntil(own, pred, timeoutMs, `${what} on ${address}`),
        };
      },
      configure: (o) =>
        new Promise<void>((resolve, reject) => {
          const params = JSON.stringify({
            address: o.address,
            advertise: o.advertise,
            confirm_raw: o.confirmRaw,
            battery: o.battery,
            rssi: o.rssi,
            paired: o.paired,
          });
          execFile(
            "dbus-send",
            [
              `--bus=${busAddress}`,
              "--print-reply",
              "--dest=org.bluez",
              "/",
              "org.bluez.Mock.ConfigureMw75",
              `string:${params}`,
            ],
            { timeout: 3000 },
            (
              error,
              _out,
              stderr,
            ) => (error ? reject(new Error(`ConfigureMw75 failed: ${String(stderr)}`)) : resolve()),
          );
        }),
      stopBluez: () => killPid(mock),
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
