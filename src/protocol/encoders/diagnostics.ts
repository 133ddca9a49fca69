/** @module The `diagnostics` message (docs/protocol/bridge-api.md §2.3): link and stream health as one client sees it. */
import type { DiagnosticsData } from "../messages.ts";
import type { HealthFigures } from "../../core/link-health.ts";
import { DEVICE_RATE_HZ } from "../../core/samples.ts";
import type { StatusState } from "../../core/session-events.ts";
import type { DecodeStats } from "../../decoder/types.ts";
import { envelope, freshId } from "../envelope.ts";

/** Everything a diagnostics message reports. */
export interface DiagnosticsInput {
  nowMs: number;
  /** The reported state (`reconnecting` while an auto-reconnect loop waits). */
  deviceState: StatusState;
  health: HealthFigures;
  /** The current connection's decoder figures (null while no link is open: zeros). */
  live: DecodeStats | null;
  /** This client's oldest queued message age, socket backlog and shed messages. */
  queueAgeMs: number;
  bufferedBytes: number;
  shed: number;
  batteryLevel: number | null;
  clients: number;
  deviceId?: string;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** The whole envelope (fresh id). */
export function diagnosticsMessage(d: DiagnosticsInput): string {
  const idle = d.live === null;
  const data: DiagnosticsData = {
    timestamp: d.nowMs / 1000,
    device_state: d.deviceState,
    rate_hz: idle ? 0 : round3(d.health.rateHz),
    expected_rate_hz: DEVICE_RATE_HZ,
    packets: {
      valid: d.live?.eegPackets ?? 0,
      lost: d.live?.lostPackets ?? 0,
      duplicates: d.live?.duplicatePackets ?? 0,
      checksum_failures: d.live?.checksumFailures ?? 0,
      skipped_bytes: d.live?.bytesSkipped ?? 0,
    },
    loss_ratio: idle ? 0 : round3(d.health.lossRatio),
    jitter_ms: idle ? 0 : round3(d.health.jitterMs),
    latency_ms: { decode: idle ? 0 : round3(d.health.decodeMs), send_queue: round3(d.queueAgeMs) },
    buffered_bytes: d.bufferedBytes,
    shed: d.shed,
    battery_level: d.batteryLevel,
    lead_off: idle ? [] : d.health.leadOff,
    clients: d.clients,
  };
  if (d.deviceId !== undefined) data.device_id = d.deviceId;
  return envelope(freshId(), "diagnostics", data);
}
