/** @module JSON-lines encoding of decoded packets, capture boundaries and stats for the `decode` command (no NaN tokens). */
import type { LinkBoundary } from "../ports/device-source.ts";
import type { DecodedPacket, DecodeStats } from "../decoder/types.ts";

/** JSON has no NaN or Infinity: such values become null and the packet says `non_finite`. */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** One line (without newline) for a packet. */
export function packetLine(packet: DecodedPacket): string {
  if (packet.type === "event") {
    return JSON.stringify({
      type: "event",
      event_id: packet.eventId,
      counter: packet.counter,
      raw_hex: hex(packet.raw),
    });
  }
  const line: Record<string, unknown> = {
    type: "eeg",
    event_id: packet.eventId,
    counter: packet.counter,
    ref: finiteOrNull(packet.ref),
    drl: finiteOrNull(packet.drl),
    channels: packet.channels.map(finiteOrNull),
    feature_status: packet.featureStatus,
    lead_off: packet.leadOff,
  };
  if (packet.nonFinite) line.non_finite = true;
  return JSON.stringify(line);
}

/** One line for a capture's boundary record; `droppedBytes` is the unfinished packet discarded there. */
export function boundaryLine(boundary: LinkBoundary, droppedBytes: number): string {
  return JSON.stringify({
    type: "boundary",
    connection: boundary.connection,
    unix_ms: boundary.startedAtMs,
    dropped_bytes: droppedBytes,
  });
}

/** The closing line with the decoder's totals and the bytes left undecoded at the end. */
export function statsLine(stats: DecodeStats, residualBytes: number): string {
  return JSON.stringify({
    type: "stats",
    eeg_packets: stats.eegPackets,
    event_packets: stats.eventPackets,
    checksum_failures: stats.checksumFailures,
    bytes_skipped: stats.bytesSkipped,
    lost_packets: stats.lostPackets,
    duplicate_packets: stats.duplicatePackets,
    non_finite_values: stats.nonFiniteValues,
    bytes_in: stats.bytesIn,
    residual_bytes: residualBytes,
  });
}
