/**
 * @module The one option table of `serve`: every flag with its value, default, environment variable,
 * check and help line. Parsing (config.ts), the defaults, `--help` and the README check all read it.
 */
import type { ServeConfig } from "./config.ts";
import { MQTT_OPTIONS } from "./mqtt-options.ts";
import { LSL_OPTIONS } from "./lsl-options.ts";
import { PUSH_OPTIONS } from "./push-options.ts";
import { DEVICE_OPTIONS, SIM_OPTIONS } from "./options-devices.ts";
import { ACCESS_OPTIONS, RECORDING_OPTIONS, SERVER_OPTIONS } from "./options-serve.ts";

/** One flag of `serve`. */
export interface ServeOption {
  /** The long form, `--port`. */
  flag: `--${string}`;
  /** A one-letter alias (`v` for `-v`). */
  short?: string;
  /** The value's placeholder in the help (`N`, `FILE`); absent for a switch. */
  value?: string;
  /**
   * The default as a user would type it. It is stored through `set` before the arguments are
   * read, unless `fallback`: then whoever reads the option takes it when none was given.
   */
  default?: string;
  /** The default of a flag that may be given several times stands for "none given", not a first value. */
  fallback?: true;
  /** A variable read when the flag is absent (an empty one counts as absent). */
  env?: string;
  /** The help text: one line, or several joined by newlines. */
  help: string;
  /** Checks and stores one value; `name` is where it came from (the flag or `env`), for the message. */
  set(c: ServeConfig, value: string, name: string): void;
}

/** Options under one heading of the help. */
export interface OptionGroup {
  title: string;
  /** A line under the group's options. */
  note?: string;
  options: readonly ServeOption[];
}

export const OPTION_GROUPS: readonly OptionGroup[] = [
  { title: "Server", options: SERVER_OPTIONS },
  { title: "Devices", options: DEVICE_OPTIONS },
  { title: "Access", options: ACCESS_OPTIONS },
  { title: "Recording", options: RECORDING_OPTIONS },
  { title: "MQTT", options: MQTT_OPTIONS },
  { title: "Lab Streaming Layer", options: LSL_OPTIONS },
  { title: "Push mode", options: PUSH_OPTIONS },
  {
    title: "Simulator tuning and fault injection (for tests)",
    note:
      "a valued one applies to one device when written ID=VALUE, e.g. --sim-link-loss-ms sim-2=1500",
    options: SIM_OPTIONS,
  },
];

/** Every option, in the order of the help. */
export const OPTIONS: readonly ServeOption[] = OPTION_GROUPS.flatMap((g) => g.options);

/** The option a command-line name (`--port`, `-v`) stands for. */
export function optionNamed(name: string): ServeOption | undefined {
  return OPTIONS.find((o) => o.flag === name || (o.short !== undefined && `-${o.short}` === name));
}

/** The table's default of `flag`; throws when the table has none (a programming error). */
export function defaultOf(flag: string): string {
  const d = OPTIONS.find((o) => o.flag === flag)?.default;
  if (d === undefined) throw new Error(`the option table has no default for ${flag}`);
  return d;
}

/** `--port N` or `--verbose, -v`: how the help and the README name an option. */
export function optionLabel(o: ServeOption): string {
  return `${o.flag}${o.value === undefined ? "" : ` ${o.value}`}${
    o.short === undefined ? "" : `, -${o.short}`
  }`;
}

/** The `--help` text, built from the table. */
export function usageText(): string {
  const width = Math.max(...OPTIONS.map((o) => optionLabel(o).length)) + 2;
  const indent = " ".repeat(width + 2);
  const out = ["Usage: serve [options]", ""];
  for (const group of OPTION_GROUPS) {
    out.push(`${group.title}:`);
    for (const o of group.options) {
      const extra = [
        o.default === undefined ? "" : ` [default: ${o.default}]`,
        o.env === undefined ? "" : ` [env: ${o.env}]`,
      ].join("");
      const [first, ...more] = `${o.help}${extra}`.split("\n");
      out.push(`  ${optionLabel(o).padEnd(width)}${first}`, ...more.map((l) => `${indent}${l}`));
    }
    if (group.note !== undefined) out.push(`${indent}${group.note}`);
    out.push("");
  }
  return `${out.join("\n")}`;
}
