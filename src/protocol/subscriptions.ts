/**
 * @module `subscribe` / `unsubscribe` data (docs/protocol/bridge-api.md §2): which stream, and its options with
 * their defaults and ranges. Bad input gets INVALID_PARAMETERS naming the field and what is
 * allowed; a stream that does not exist gets UNKNOWN_STREAM.
 */
import * as v from "valibot";
import { CHANNELS } from "../core/samples.ts";
import { accept, invalid, refuse, shown } from "./result.ts";
import { checkFields } from "./request-fields.ts";
import { METRICS_DEFAULTS } from "./metrics.ts";
import type { MetricsOptions } from "./metrics.ts";
import type { Rules } from "./request-fields.ts";
import type { Checked } from "./result.ts";

/** Streams a client may subscribe to. */
export const STREAMS = ["eeg", "eeg_batch", "diagnostics", "events", "metrics"] as const;
export type StreamName = (typeof STREAMS)[number];

/** Decimation factors with a designed anti-aliasing filter. */
export const DECIMATIONS = [1, 2, 4, 5, 10, 20, 25, 50] as const;

/** Effective `eeg_batch` options, echoed in the ack and the status reply. */
export interface BatchOptions {
  format: "json" | "binary";
  num_samples: number;
  interval_ms: number;
  decimate: number;
  channels: number[];
  ref_drl: boolean;
  since_seq?: number;
}

/** A parsed subscription request. */
export type Subscription =
  | { stream: "eeg"; options: Record<string, never> }
  | { stream: "eeg_batch"; options: BatchOptions }
  | { stream: "diagnostics"; options: { interval_ms: number } }
  | { stream: "events"; options: Record<string, never> }
  | { stream: "metrics"; options: MetricsOptions };

const int = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const CHANNEL_LIST = v.pipe(
  v.array(int(1, CHANNELS)),
  v.minLength(1),
  v.maxLength(CHANNELS),
  v.check((list) => new Set(list).size === list.length),
);

/** The options a request may give, by stream. */
interface RequestOptions {
  eeg: Record<never, never>;
  eeg_batch: {
    format: BatchOptions["format"];
    num_samples: number;
    interval_ms: number;
    decimate: number;
    channels: number[];
    ref_drl: boolean;
    since_seq: number;
  };
  diagnostics: { interval_ms: number };
  events: Record<never, never>;
  metrics: MetricsOptions;
}

/** Per stream: option → [schema, the allowed values as the error message says them]. */
const OPTIONS: { [S in StreamName]: Rules<RequestOptions[S]> } = {
  eeg: {},
  eeg_batch: {
    format: [v.picklist(["json", "binary"]), `"json" or "binary"`],
    num_samples: [int(1, 5000), "an integer between 1 and 5000"],
    interval_ms: [int(10, 10_000), "an integer between 10 and 10000"],
    decimate: [v.picklist(DECIMATIONS), `one of ${DECIMATIONS.join(", ")}`],
    channels: [CHANNEL_LIST, "a list of 1 to 12 different channel numbers between 1 and 12"],
    ref_drl: [v.boolean(), "true or false"],
    since_seq: [int(0, Number.MAX_SAFE_INTEGER), "an integer ≥ 0"],
  },
  diagnostics: {
    interval_ms: [int(100, 10_000), "an integer between 100 and 10000"],
  },
  events: {},
  metrics: {
    interval_ms: [int(33, 10_000), "an integer between 33 and 10000"],
    window_s: [
      v.pipe(v.number(), v.finite(), v.minValue(0.5), v.maxValue(10)),
      "a number between 0.5 and 10",
    ],
  },
};

const ALL_CHANNELS = Array.from({ length: CHANNELS }, (_, i) => i + 1);

/** Reads `subscribe` data; options absent from the request take their defaults. */
export function parseSubscribe(data: unknown): Checked<Subscription> {
  const head = readStream(data);
  if (!head.ok) return head;
  const { stream, options } = head.value;
  switch (stream) {
    case "eeg":
    case "events": {
      const checked = checkOptions(stream, options);
      return checked.ok ? accept({ stream, options: {} }) : checked;
    }
    case "diagnostics": {
      const checked = checkOptions(stream, options);
      if (!checked.ok) return checked;
      return accept({ stream, options: { interval_ms: checked.value.interval_ms ?? 100 } });
    }
    case "metrics": {
      const checked = checkOptions(stream, options);
      if (!checked.ok) return checked;
      return accept({ stream, options: { ...METRICS_DEFAULTS, ...checked.value } });
    }
    case "eeg_batch": {
      const checked = checkOptions(stream, options);
      if (!checked.ok) return checked;
      const o = checked.value;
      const batch: BatchOptions = {
        format: o.format ?? "json",
        num_samples: o.num_samples ?? 25,
        interval_ms: o.interval_ms ?? 100,
        decimate: o.decimate ?? 1,
        channels: o.channels === undefined
          ? ALL_CHANNELS.slice()
          : [...o.channels].sort((a, b) => a - b),
        ref_drl: o.ref_drl ?? false,
      };
      if (o.since_seq !== undefined) batch.since_seq = o.since_seq;
      return accept({ stream, options: batch });
    }
  }
}

/** Reads `unsubscribe` data: just the stream. */
export function parseUnsubscribe(data: unknown): Checked<{ stream: StreamName }> {
  const head = readStream(data);
  return head.ok ? accept({ stream: head.value.stream }) : head;
}

/** A stream's options checked against its rules; an unknown one names what the stream has. */
function checkOptions<S extends StreamName>(
  stream: S,
  options: object,
): Checked<Partial<RequestOptions[S]>> {
  const rules: Rules<RequestOptions[S]> = OPTIONS[stream];
  const known = Object.keys(rules);
  const hint = known.length > 0 ? `; its options are ${known.join(", ")}` : "; it has no options";
  return checkFields(
    options,
    rules,
    `stream ${stream}`,
    (key) => `Unknown option ${key} for stream ${stream}${hint}`,
  );
}

/** The stream named, and the other fields (its options). */
function readStream(data: unknown): Checked<{ stream: StreamName; options: object }> {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return invalid(`'data' must be an object with a "stream" field (one of ${STREAMS.join(", ")})`);
  }
  const sent: { stream?: unknown } = data;
  const { stream, ...options } = sent;
  if (typeof stream !== "string" || stream === "") {
    return invalid(`Invalid stream: must be one of ${STREAMS.join(", ")}, got ${describe(stream)}`);
  }
  if (!isStreamName(stream)) {
    return refuse("UNKNOWN_STREAM", `Unknown stream: ${stream}. Streams are ${STREAMS.join(", ")}`);
  }
  return accept({ stream, options });
}

function isStreamName(name: string): name is StreamName {
  return (STREAMS as readonly string[]).includes(name);
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : shown(value, 60);
}
