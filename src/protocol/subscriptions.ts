/**
 * @module `subscribe` / `unsubscribe` data (BRIDGE-API §2): which stream, and its options with
 * their defaults and ranges. Bad input gets INVALID_PARAMETERS naming the field and what is
 * allowed; a stream that does not exist gets UNKNOWN_STREAM.
 */
import * as v from "valibot";
import type { ErrorCode } from "./errors.ts";
import { CHANNELS } from "../core/samples.ts";

/** Streams a client may subscribe to. */
export const STREAMS = ["eeg", "eeg_batch", "diagnostics", "events"] as const;
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
  | { stream: "events"; options: Record<string, never> };

/** What went wrong, for the error reply. */
export interface SubscriptionProblem {
  code: ErrorCode;
  message: string;
}

const int = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const CHANNEL_LIST = v.pipe(
  v.array(int(1, CHANNELS)),
  v.minLength(1),
  v.maxLength(CHANNELS),
  v.check((list) => new Set(list).size === list.length),
);

/** Per stream: option → [schema, the allowed values as the error message says them]. */
const OPTIONS: Record<StreamName, Record<string, [v.GenericSchema, string]>> = {
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
};

const ALL_CHANNELS = Array.from({ length: CHANNELS }, (_, i) => i + 1);

/** Reads `subscribe` data; options absent from the request take their defaults. */
export function parseSubscribe(data: unknown): Subscription | SubscriptionProblem {
  const head = readStream(data);
  if ("code" in head) return head;
  const { stream, fields } = head;
  const allowed = OPTIONS[stream];
  for (const [key, value] of Object.entries(fields)) {
    if (key === "stream") continue;
    const rule = allowed[key];
    if (rule === undefined) {
      const known = Object.keys(allowed);
      const hint = known.length > 0
        ? `; its options are ${known.join(", ")}`
        : "; it has no options";
      return invalid(`Unknown option ${key} for stream ${stream}${hint}`);
    }
    if (!v.is(rule[0], value)) {
      return invalid(`Invalid ${key}: must be ${rule[1]}, got ${describe(value)}`);
    }
  }
  switch (stream) {
    case "eeg":
    case "events":
      return { stream, options: {} };
    case "diagnostics":
      return {
        stream,
        options: { interval_ms: (fields["interval_ms"] as number | undefined) ?? 100 },
      };
    case "eeg_batch": {
      const channels = fields["channels"] as number[] | undefined;
      const options: BatchOptions = {
        format: (fields["format"] as "json" | "binary" | undefined) ?? "json",
        num_samples: (fields["num_samples"] as number | undefined) ?? 25,
        interval_ms: (fields["interval_ms"] as number | undefined) ?? 100,
        decimate: (fields["decimate"] as number | undefined) ?? 1,
        channels: channels === undefined
          ? ALL_CHANNELS.slice()
          : [...channels].sort((a, b) => a - b),
        ref_drl: (fields["ref_drl"] as boolean | undefined) ?? false,
      };
      const since = fields["since_seq"] as number | undefined;
      if (since !== undefined) options.since_seq = since;
      return { stream, options };
    }
  }
}

/** Reads `unsubscribe` data: just the stream. */
export function parseUnsubscribe(data: unknown): { stream: StreamName } | SubscriptionProblem {
  const head = readStream(data);
  return "code" in head ? head : { stream: head.stream };
}

/** True for a problem rather than a request. */
export function isProblem<T extends object>(
  value: T | SubscriptionProblem,
): value is SubscriptionProblem {
  return "code" in value && "message" in value;
}

function readStream(
  data: unknown,
): { stream: StreamName; fields: Record<string, unknown> } | SubscriptionProblem {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return invalid(`'data' must be an object with a "stream" field (one of ${STREAMS.join(", ")})`);
  }
  const fields = data as Record<string, unknown>;
  const stream = fields["stream"];
  if (typeof stream !== "string" || stream === "") {
    return invalid(`Invalid stream: must be one of ${STREAMS.join(", ")}, got ${describe(stream)}`);
  }
  if (!(STREAMS as readonly string[]).includes(stream)) {
    return {
      code: "UNKNOWN_STREAM",
      message: `Unknown stream: ${stream}. Streams are ${STREAMS.join(", ")}`,
    };
  }
  return { stream: stream as StreamName, fields };
}

function invalid(message: string): SubscriptionProblem {
  return { code: "INVALID_PARAMETERS", message };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
