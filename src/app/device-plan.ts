/**
 * @module Which devices `serve` runs (docs/protocol/bridge-api.md §6): `--source` (repeatable), `--sim-devices N`,
 * per-device simulator flags (`--sim-drop sim-2=0.1`) and one RFCOMM tty per headset
 * (`--rfcomm-tty AA:BB:CC:DD:EE:FF=/dev/rfcomm1`), resolved into one plan per device.
 */
import { deviceIdFor } from "../core/device-registry.ts";
import type { DeviceIdentity } from "../core/device-registry.ts";
import type { SimOptions } from "../sources/sim.ts";
import { UsageError } from "./option-values.ts";

/** Where one device's bytes come from. */
export type SourceSpec = { kind: "sim" } | { kind: "replay"; path: string } | {
  kind: "mw75";
  address?: string;
};

/** What the device flags of the command line hold before they are resolved. */
export interface DeviceFlags {
  sources: SourceSpec[];
  simDevices: number | null;
  /** Simulator flags for every sim device, then per device id. */
  sim: SimOptions;
  simByDevice: Record<string, SimOptions>;
  /** `--device ADDR` for an address-less `--source mw75`. */
  device: string | null;
  /** The tty of a single headset, and one per address for several. */
  rfcommTty: string;
  rfcommTtys: Record<string, string>;
}

/** One device to build. */
export interface DevicePlan {
  identity: DeviceIdentity;
  source: SourceSpec;
  /** sim: the merged simulator options (own seed). */
  sim: SimOptions;
  /** mw75: the tty carrying its data. */
  rfcommTty: string;
}

const ADDRESS = /^([0-9A-F]{2}:){5}[0-9A-F]{2}$/;

/** `AA:bb:…` → `AA:BB:…`; throws UsageError naming `flag` for anything else. */
export function bluetoothAddress(flag: string, value: string): string {
  const address = value.trim().toUpperCase();
  if (!ADDRESS.test(address)) {
    throw new UsageError(
      `${flag} expects a Bluetooth address like AA:BB:CC:DD:EE:FF, got "${value}"`,
    );
  }
  return address;
}

/** `sim`, `replay:FILE`, `mw75` or `mw75:ADDR`. */
export function parseSource(value: string): SourceSpec {
  if (value === "sim") return { kind: "sim" };
  if (value === "mw75") return { kind: "mw75" };
  if (value.startsWith("mw75:")) {
    return { kind: "mw75", address: bluetoothAddress("--source mw75:ADDR", value.slice(5)) };
  }
  if (value.startsWith("replay:") && value.length > "replay:".length) {
    return { kind: "replay", path: value.slice(7) };
  }
  throw new UsageError(`--source expects sim, replay:FILE, mw75 or mw75:ADDR, got "${value}"`);
}

/** `--rfcomm-tty PATH` or `--rfcomm-tty ADDR=PATH`. */
export function setRfcommTty(f: DeviceFlags, value: string): void {
  const eq = value.indexOf("=");
  // a path may contain "=", an address never does: only a leading address is a mapping
  if (eq === 17 && ADDRESS.test(value.slice(0, 17).toUpperCase())) {
    const path = value.slice(18);
    if (path === "") throw new UsageError(`--rfcomm-tty ${value}: the tty path is missing`);
    f.rfcommTtys[value.slice(0, 17).toUpperCase()] = path;
    return;
  }
  if (value === "") throw new UsageError("--rfcomm-tty needs a non-empty value");
  f.rfcommTty = value;
}

/**
 * A simulator flag's value for every sim device (`0.1`) or one (`sim-2=0.1`): `apply` writes the
 * parsed value into the options it is given.
 */
export function setSimFlag(
  f: DeviceFlags,
  value: string,
  apply: (sim: SimOptions, value: string) => void,
): void {
  const scoped = /^(sim-\d+)=(.*)$/.exec(value);
  if (scoped === null) return apply(f.sim, value);
  apply(f.simByDevice[scoped[1]!] ??= {}, scoped[2]!);
}

/** What stands for a flag not given: the option table's defaults of `--source` and `--sim-seed`. */
export interface PlanFallbacks {
  source: SourceSpec;
  seed: number;
}

/** Resolves the flags into the devices to run, in order (the first is the default device). */
export function planDevices(f: DeviceFlags, fallbacks: PlanFallbacks): DevicePlan[] {
  const specs: SourceSpec[] = [...f.sources];
  if (f.simDevices !== null) { for (let i = 0; i < f.simDevices; i++) specs.push({ kind: "sim" }); }
  if (specs.length === 0) specs.push(fallbacks.source);
  const counts = { sim: 0, replay: 0, mw75: 0 };
  const headsets = specs.filter((s) => s.kind === "mw75");
  const plans = specs.map((spec): DevicePlan => {
    const n = ++counts[spec.kind];
    if (spec.kind === "sim") {
      const id = deviceIdFor("sim", null, n);
      const base = f.sim.seed ?? fallbacks.seed;
      // each simulated headset its own seed (so their data differ), sim-1 the seed of a single one
      const sim = { ...f.sim, seed: (base + n - 1) >>> 0, ...f.simByDevice[id] };
      return {
        identity: { id, kind: "sim", name: `Simulated MW75 ${n}`, address: simAddress(n) },
        source: spec,
        sim,
        rfcommTty: f.rfcommTty,
      };
    }
    if (spec.kind === "replay") {
      const file = spec.path.split(/[\\/]/).pop() ?? spec.path;
      return {
        identity: {
          id: deviceIdFor("replay", null, n),
          kind: "replay",
          name: `Replay of ${file}`,
          address: null,
        },
        source: spec,
        sim: {},
        rfcommTty: f.rfcommTty,
      };
    }
    const address = spec.address ??
      (headsets.length === 1 && f.device !== null ? bluetoothAddress("--device", f.device) : null);
    const tty = address === null
      ? f.rfcommTty
      : (f.rfcommTtys[address] ?? (headsets.length === 1 ? f.rfcommTty : null));
    if (tty === null) {
      throw new UsageError(
        `Headset ${address} has no RFCOMM tty: with several headsets give each one, e.g. --rfcomm-tty ${address}=/dev/rfcomm${
          n - 1
        }`,
      );
    }
    const name = address === null ? "MW75 Neuro (first found)" : `MW75 Neuro ${address}`;
    return {
      identity: { id: deviceIdFor("mw75", address, n), kind: "mw75", name, address },
      source: address === null ? spec : { kind: "mw75", address },
      sim: {},
      rfcommTty: tty,
    };
  });
  checkPlans(plans, f);
  return plans;
}

function checkPlans(plans: DevicePlan[], f: DeviceFlags): void {
  const ids = plans.map((p) => p.identity.id);
  const headsets = plans.filter((p) => p.identity.kind === "mw75");
  if (headsets.length > 1 && headsets.some((p) => p.identity.address === null)) {
    throw new UsageError(
      "With several headsets every --source mw75 needs its address (--source mw75:AA:BB:CC:DD:EE:FF): otherwise two devices would take the same headset",
    );
  }
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) {
    throw new UsageError(`The headset of ${duplicate} is listed twice in --source`);
  }
  const ttys = headsets.map((p) => p.rfcommTty);
  const shared = ttys.find((t, i) => ttys.indexOf(t) !== i);
  if (shared !== undefined) {
    throw new UsageError(
      `Two headsets would read the same RFCOMM tty ${shared}: give each its own --rfcomm-tty ADDR=PATH`,
    );
  }
  for (const id of Object.keys(f.simByDevice)) {
    if (!ids.includes(id)) {
      throw new UsageError(`A simulator flag names ${id}, but the devices are ${ids.join(", ")}`);
    }
  }
}

/** A stable, obviously fake address for simulated headset n (locally administered range). */
function simAddress(n: number): string {
  const hex = n.toString(16).toUpperCase().padStart(4, "0");
  return `02:00:00:00:${hex.slice(0, 2)}:${hex.slice(2)}`;
}
