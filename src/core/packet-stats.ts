/** @module Packet figures for /health: totals across connections plus a once-a-second packet rate. */
import type { DecodeStats } from "../decoder/types.ts";

/** What /health reports under `packets`. */
export interface PacketFigures {
  valid: number;
  checksum_failures: number;
  lost: number;
  duplicates: number;
  rate_hz: number;
}

const RATE_WINDOW_MS = 1000;

/** The periodic DEBUG log line of a session's figures. */
export function statsLine(f: PacketFigures): string {
  return `Stream: ${f.valid} valid, ${f.checksum_failures} checksum failures, ${f.lost} lost, ${f.rate_hz} Hz`;
}

/** Running totals; call `count` per chunk and `closeConnection` with the decoder's final stats. */
export class PacketStats {
  #past = { valid: 0, checksum: 0, lost: 0, duplicates: 0 };
  #windowStart = 0;
  #windowCount = 0;
  #rate = 0;
  #lastSeen = 0;

  /** Adds `packets` EEG packets seen at `now` to the rate window. */
  count(packets: number, now: number): void {
    if (now - this.#windowStart >= RATE_WINDOW_MS) {
      const elapsed = now - this.#windowStart;
      this.#rate = this.#windowStart === 0 ? 0 : (this.#windowCount * 1000) / elapsed;
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount += packets;
    this.#lastSeen = now;
  }

  /** Folds a finished connection's decoder stats into the totals. */
  closeConnection(stats: DecodeStats): void {
    this.#past.valid += stats.eegPackets;
    this.#past.checksum += stats.checksumFailures;
    this.#past.lost += stats.lostPackets;
    this.#past.duplicates += stats.duplicatePackets;
  }

  /** Totals including the live decoder's stats (if any); the rate drops to 0 after 2 s without data. */
  figures(live: DecodeStats | null, now: number): PacketFigures {
    const rate = now - this.#lastSeen > 2 * RATE_WINDOW_MS ? 0 : this.#rate;
    return {
      valid: this.#past.valid + (live?.eegPackets ?? 0),
      checksum_failures: this.#past.checksum + (live?.checksumFailures ?? 0),
      lost: this.#past.lost + (live?.lostPackets ?? 0),
      duplicates: this.#past.duplicates + (live?.duplicatePackets ?? 0),
      rate_hz: Math.round(rate * 10) / 10,
    };
  }
}
