/** @module The option table's device flags of `serve`: sources, headsets, and the simulator's tuning and faults. */
import type { SimOptions } from "../sources/sim.ts";
import { parseSource, setRfcommTty, setSimFlag } from "./device-plan.ts";
import { channelList, int, nonEmpty, real } from "./option-values.ts";
import type { ServeOption } from "./options.ts";

export const DEVICE_OPTIONS: readonly ServeOption[] = [
  {
    flag: "--source",
    value: "SRC",
    default: "sim",
    fallback: true,
    help: "sim (SYNTHETIC data) | replay:FILE | mw75 | mw75:ADDR (real headset);\n" +
      "repeatable: one device each (the first is the default device on / and /ws)",
    set: (c, v) => void c.sources.push(parseSource(v)),
  },
  {
    flag: "--sim-devices",
    value: "N",
    help: "N simulated headsets sim-1 … sim-N, each with its own seed",
    set: (c, v, name) => void (c.simDevices = int(name, 1, 1000)(v)),
  },
  {
    flag: "--retention-s",
    value: "N",
    default: "60",
    help: "seconds of samples each device keeps for since_seq resume\n" +
      "(compressed: about 0.6 MB per device per 60 s of whole ADC counts)",
    set: (c, v, name) => void (c.retentionS = int(name, 1, 3600)(v)),
  },
  {
    flag: "--autoconnect",
    help: "connect every device at start-up (auto-reconnect on) and keep it connected\n" +
      "without clients (recording with --record, headless use)",
    set: (c) => void (c.autoconnect = true),
  },
  {
    flag: "--speed",
    value: "X",
    default: "1",
    help: "replay speed: 1 = real time, 0 = as fast as possible",
    set: (c, v, name) => void (c.speed = real(name, 0, 1e6)(v)),
  },
  {
    flag: "--capture",
    value: "FILE",
    help: "save every raw byte the source delivers to FILE (a boundary record between connections)",
    set: (c, v, name) => void (c.capture = nonEmpty(name, v)),
  },
  {
    flag: "--device",
    value: "ADDR",
    help: "mw75: Bluetooth address (skips the scan)",
    set: (c, v, name) => void (c.device = nonEmpty(name, v)),
  },
  {
    flag: "--rfcomm-tty",
    value: "PATH",
    default: "/dev/rfcomm0",
    help: "mw75: RFCOMM tty; written ADDR=PATH, the tty of the headset ADDR\n" +
      "(one per headset with several; also used by connect_device)",
    set: (c, v) => setRfcommTty(c, v),
  },
  {
    flag: "--scan-ms",
    value: "N",
    default: "4000",
    help: "mw75: BLE scan duration",
    set: (c, v, name) => void (c.scanMs = int(name, 100)(v)),
  },
];

/** A valued simulator flag: for every sim device, or one when written `sim-2=VALUE`. */
function simValued(
  flag: `--sim-${string}`,
  value: string,
  help: string,
  store: (sim: SimOptions, value: string, name: string) => void,
): ServeOption {
  return { flag, value, help, set: (c, v, name) => setSimFlag(c, v, (s, x) => store(s, x, name)) };
}

export const SIM_OPTIONS: readonly ServeOption[] = [
  {
    ...simValued(
      "--sim-seed",
      "N",
      "the first simulator's seed; sim-N gets SEED + N - 1",
      (s, x, n) => void (s.seed = int(n, 0, 2 ** 32 - 1)(x)),
    ),
    default: "1",
    fallback: true,
  },
  simValued("--sim-rate-hz", "N", "sample rate", (s, x, n) => void (s.rateHz = real(n, 1, 1e6)(x))),
  {
    flag: "--sim-unthrottled",
    help: "deliver as fast as possible",
    set: (c) => void (c.sim.unthrottled = true),
  },
  simValued(
    "--sim-chunk-bytes",
    "N",
    "bytes per delivered chunk",
    (s, x, n) => void (s.chunkBytes = int(n, 1, 1 << 20)(x)),
  ),
  simValued(
    "--sim-tick-ms",
    "N",
    "delivery period",
    (s, x, n) => void (s.tickMs = int(n, 0, 1000)(x)),
  ),
  simValued(
    "--sim-battery",
    "N",
    "battery level in percent",
    (s, x, n) => void (s.batteryLevel = int(n, 0, 100)(x)),
  ),
  simValued(
    "--sim-activation-delay-ms",
    "N",
    "delay of the activation",
    (s, x, n) => void (s.activationDelayMs = int(n, 0)(x)),
  ),
  {
    flag: "--sim-fail-activation",
    help: "the activation fails",
    set: (c) => void (c.sim.failActivation = true),
  },
  {
    flag: "--sim-fail-rfcomm",
    help: "opening the RFCOMM link fails",
    set: (c) => void (c.sim.failRfcomm = true),
  },
  simValued(
    "--sim-fail-opens",
    "N",
    "the first N opens fail",
    (s, x, n) => void (s.failOpens = int(n, 0)(x)),
  ),
  simValued(
    "--sim-link-loss-ms",
    "N",
    "the link drops after N ms",
    (s, x, n) => void (s.linkLossAfterMs = int(n, 1)(x)),
  ),
  simValued(
    "--sim-corruption",
    "R",
    "share of corrupted packets (0–1)",
    (s, x, n) => void (s.corruptionRate = real(n, 0, 1)(x)),
  ),
  simValued(
    "--sim-drop",
    "R",
    "share of dropped packets (0–1)",
    (s, x, n) => void (s.dropRate = real(n, 0, 1)(x)),
  ),
  simValued(
    "--sim-lead-off",
    "CHANNELS",
    "channels reported lead-off, e.g. 3,7",
    (s, x, n) => void (s.leadOffChannels = channelList(n, x)),
  ),
];
