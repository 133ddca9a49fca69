/** @module What each stream takes and yields in the SDK (docs/protocol/bridge-api.md §2), and how a loss is reported. */
import type { EegBatch } from "./batch.ts";
import type { DiagnosticsData, EegDataData, EventData } from "../protocol/messages.ts";
import type { MetricsData } from "../protocol/metrics.ts";

/** `eeg_batch` options (§2.2); the bridge answers with the effective values. */
export interface EegBatchOptions {
  format?: "json" | "binary";
  num_samples?: number;
  interval_ms?: number;
  decimate?: 1 | 2 | 4 | 5 | 10 | 20 | 25 | 50;
  channels?: readonly number[];
  ref_drl?: boolean;
  /** Start from this seq (retained samples first). The SDK sets it itself when it resubscribes. */
  since_seq?: number;
}

/** Options per stream. */
export interface StreamOptions {
  eeg: Record<string, never>;
  eeg_batch: EegBatchOptions;
  events: Record<string, never>;
  diagnostics: { interval_ms?: number };
  /** `interval_ms` 33–10000 (default 100), `window_s` 0.5–10 (default 2): docs/metrics.md. */
  metrics: { interval_ms?: number; window_s?: number };
}

/** What a subscription's iterator yields per stream. */
export interface StreamItems {
  eeg: EegDataData;
  eeg_batch: EegBatch;
  events: EventData;
  diagnostics: DiagnosticsData;
  metrics: MetricsData;
}

export type StreamName = keyof StreamItems;

/**
 * Samples the consumer will not see. `retention`: the outage outlasted the bridge's buffer (the
 * ack's `resumed_from` is past `since_seq`); `restart`: the bridge process restarted, so seq began
 * again (what was missed is unknown); `no_resume`: the `eeg` stream has no `since_seq` and came back
 * after a jump; `overflow`: the consumer fell `maxQueued` items behind and the oldest was dropped;
 * `released`: the bridge let the headset go while this client was away, and the SDK connected it
 * again (the seqs skipped meanwhile); `gap`: any other jump in seq (lost packets, a lost link).
 * A jump across a deliberate stop (a `disconnect`, seen as an `idle` status) is no loss, unless the
 * link was lost before it (a `disconnected` status): then it is a `gap`.
 */
export interface DataLoss {
  stream: string;
  reason: "retention" | "restart" | "no_resume" | "overflow" | "released" | "gap";
  /** First and last missing seq (inclusive); null where the stream has no seq or it is unknown. */
  fromSeq: number | null;
  toSeq: number | null;
}
