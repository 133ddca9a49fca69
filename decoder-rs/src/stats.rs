//! Running totals of what the framer saw, and the counter-gap rule behind two of them.

/// Totals since creation or reset. Exported to the host as f64 in this field order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub eeg_packets: u64,
    pub event_packets: u64,
    /// 63-byte windows starting at 0xAA with a wrong checksum (the reference's "invalid").
    pub checksum_failures: u64,
    /// Bytes passed over while searching for sync, failed windows' sync bytes included.
    pub bytes_skipped: u64,
    /// EEG packets missing by counter gaps.
    pub lost_packets: u64,
    /// EEG packets that repeated the previous counter.
    pub duplicate_packets: u64,
    /// NaN or infinite float fields (REF, DRL, channels).
    pub non_finite_values: u64,
    pub bytes_in: u64,
}

/// Number of fields `Stats::to_f64` writes.
pub const STATS_FIELDS: usize = 8;

impl Stats {
    pub const fn new() -> Self {
        Stats {
            eeg_packets: 0,
            event_packets: 0,
            checksum_failures: 0,
            bytes_skipped: 0,
            lost_packets: 0,
            duplicate_packets: 0,
            non_finite_values: 0,
            bytes_in: 0,
        }
    }

    pub fn to_f64(&self, out: &mut [f64; STATS_FIELDS]) {
        let fields = [
            self.eeg_packets,
            self.event_packets,
            self.checksum_failures,
            self.bytes_skipped,
            self.lost_packets,
            self.duplicate_packets,
            self.non_finite_values,
            self.bytes_in,
        ];
        for (slot, value) in out.iter_mut().zip(fields.iter()) {
            *slot = *value as f64;
        }
    }

    /// Accounts one EEG counter after `previous` (None for the first packet).
    ///
    /// A repeated counter is a duplicate, not 255 lost packets (the reference's mod-256 rule
    /// counts it as 255). Any other jump counts the packets it skipped, modulo 256.
    #[inline(always)]
    pub fn count_counter(&mut self, previous: Option<u8>, counter: u8) {
        if let Some(prev) = previous {
            if counter == prev {
                self.duplicate_packets += 1;
            } else {
                self.lost_packets += counter.wrapping_sub(prev).wrapping_sub(1) as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(counters: &[u8]) -> Stats {
        let mut stats = Stats::new();
        let mut prev = None;
        for &c in counters {
            stats.count_counter(prev, c);
            prev = Some(c);
        }
        stats
    }

    #[test]
    fn counter_wrap_is_not_a_gap() {
        let stats = run(&[254, 255, 0, 1]);
        assert_eq!((stats.lost_packets, stats.duplicate_packets), (0, 0));
    }

    #[test]
    fn counter_gap_counts_missing_packets_mod_256() {
        let stats = run(&[0, 1, 2, 5, 6, 200, 201, 0, 1, 255, 3]);
        // 2→5 misses 2, 6→200 misses 193, 201→0 misses 54, 1→255 misses 253, 255→3 misses 3
        assert_eq!(stats.lost_packets, 2 + 193 + 54 + 253 + 3);
        assert_eq!(stats.duplicate_packets, 0);
    }

    #[test]
    fn repeated_counter_is_a_duplicate_not_255_lost() {
        let stats = run(&[42, 42, 43]);
        assert_eq!((stats.lost_packets, stats.duplicate_packets), (0, 1));
    }
}
