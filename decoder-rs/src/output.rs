//! Decoded packets of one call, stored as fixed-size parallel arrays (struct of arrays).
//!
//! Fixed sizes keep the hot loop free of bounds checks and let the host read each field as
//! one typed-array view into WebAssembly memory.

use crate::constants::{CHANNELS, PACKET_LEN};
use crate::framer::INPUT_CAPACITY;

/// Most packets one call can complete: the input plus a 62-byte tail, 63 bytes each.
pub const OUTPUT_CAPACITY: usize = (INPUT_CAPACITY + PACKET_LEN - 1) / PACKET_LEN;

/// `non_finite` bit for REF; bits 0..=11 are the channels.
pub const NON_FINITE_REF: u16 = 1 << 12;
/// `non_finite` bit for DRL.
pub const NON_FINITE_DRL: u16 = 1 << 13;

pub struct Output {
    pub count: usize,
    pub event_id: [u8; OUTPUT_CAPACITY],
    pub counter: [u8; OUTPUT_CAPACITY],
    pub feature_status: [u8; OUTPUT_CAPACITY],
    /// Bit k: channel k+1 carried the raw lead-off code.
    pub lead_off: [u16; OUTPUT_CAPACITY],
    /// Bits 0..=11 channels, 12 REF, 13 DRL: the value was NaN or infinite.
    pub non_finite: [u16; OUTPUT_CAPACITY],
    pub reference: [f64; OUTPUT_CAPACITY],
    pub drl: [f64; OUTPUT_CAPACITY],
    /// µV, packet i at `i * 12 .. i * 12 + 12`.
    pub channels: [f64; OUTPUT_CAPACITY * CHANNELS],
    /// Stream offset of the sync byte (exact up to 2^53 bytes).
    pub offset: [f64; OUTPUT_CAPACITY],
    /// The raw 63 bytes, written for non-EEG packets only.
    pub raw: [u8; OUTPUT_CAPACITY * PACKET_LEN],
}

impl Output {
    pub const fn new() -> Self {
        Output {
            count: 0,
            event_id: [0; OUTPUT_CAPACITY],
            counter: [0; OUTPUT_CAPACITY],
            feature_status: [0; OUTPUT_CAPACITY],
            lead_off: [0; OUTPUT_CAPACITY],
            non_finite: [0; OUTPUT_CAPACITY],
            reference: [0.0; OUTPUT_CAPACITY],
            drl: [0.0; OUTPUT_CAPACITY],
            channels: [0.0; OUTPUT_CAPACITY * CHANNELS],
            offset: [0.0; OUTPUT_CAPACITY],
            raw: [0; OUTPUT_CAPACITY * PACKET_LEN],
        }
    }

    /// The µV values of packet `i`.
    pub fn channels_of(&self, i: usize) -> &[f64] {
        &self.channels[i * CHANNELS..(i + 1) * CHANNELS]
    }

    /// The raw bytes of non-EEG packet `i`.
    pub fn raw_of(&self, i: usize) -> &[u8] {
        &self.raw[i * PACKET_LEN..(i + 1) * PACKET_LEN]
    }
}

impl Default for Output {
    fn default() -> Self {
        Self::new()
    }
}
