//! Decodes one checksum-valid 63-byte window into slot `n` of an `Output`.

use crate::constants::*;
use crate::output::{Output, NON_FINITE_DRL, NON_FINITE_REF};
use crate::stats::Stats;

const ABS_MASK: u32 = 0x7FFF_FFFF;
const EXPONENT_MASK: u32 = 0x7F80_0000;

#[inline(always)]
fn bits_at(window: &[u8; PACKET_LEN], at: usize) -> u32 {
    u32::from_le_bytes([window[at], window[at + 1], window[at + 2], window[at + 3]])
}

#[inline(always)]
fn is_non_finite(bits: u32) -> bool {
    bits & EXPONENT_MASK == EXPONENT_MASK
}

/// Writes an EEG packet (event id 239) into slot `n`.
///
/// Lead-off and NaN/Inf tests run only when a cheap pre-check fires: both codes have a
/// magnitude (sign bit cleared) at or above that of 8388607.0, which real EEG never reaches.
#[inline(always)]
pub fn write_eeg(window: &[u8; PACKET_LEN], out: &mut Output, n: usize, stats: &mut Stats) {
    let ref_bits = bits_at(window, REF_OFFSET);
    let drl_bits = bits_at(window, DRL_OFFSET);
    out.event_id[n] = EEG_EVENT_ID;
    out.counter[n] = window[COUNTER_OFFSET];
    out.feature_status[n] = window[STATUS_OFFSET];
    out.reference[n] = f32::from_bits(ref_bits) as f64;
    out.drl[n] = f32::from_bits(drl_bits) as f64;

    let mut raw = [0u32; CHANNELS];
    let mut largest = (ref_bits & ABS_MASK).max(drl_bits & ABS_MASK);
    let scaled: &mut [f64; CHANNELS] = slot(&mut out.channels, n);
    for k in 0..CHANNELS {
        let bits = bits_at(window, CHANNELS_OFFSET + 4 * k);
        raw[k] = bits;
        largest = largest.max(bits & ABS_MASK);
        // widen first, then scale in f64: the same arithmetic as the reference server
        scaled[k] = f32::from_bits(bits) as f64 * UV_PER_COUNT;
    }

    let (mut lead_off, mut non_finite) = (0u16, 0u16);
    if largest >= LEAD_OFF_BITS {
        for (k, &bits) in raw.iter().enumerate() {
            if bits == LEAD_OFF_BITS {
                lead_off |= 1 << k;
            }
            if is_non_finite(bits) {
                non_finite |= 1 << k;
            }
        }
        if is_non_finite(ref_bits) {
            non_finite |= NON_FINITE_REF;
        }
        if is_non_finite(drl_bits) {
            non_finite |= NON_FINITE_DRL;
        }
        stats.non_finite_values += non_finite.count_ones() as u64;
    }
    out.lead_off[n] = lead_off;
    out.non_finite[n] = non_finite;
}

/// Writes a non-EEG packet into slot `n`, keeping its raw bytes.
#[inline(always)]
pub fn write_event(window: &[u8; PACKET_LEN], out: &mut Output, n: usize) {
    out.event_id[n] = window[EVENT_ID_OFFSET];
    out.counter[n] = window[COUNTER_OFFSET];
    out.feature_status[n] = window[STATUS_OFFSET];
    out.lead_off[n] = 0;
    out.non_finite[n] = 0;
    out.raw[n * PACKET_LEN..(n + 1) * PACKET_LEN].copy_from_slice(window);
}

/// The fixed-size channel block of slot `n`.
#[inline(always)]
fn slot(channels: &mut [f64], n: usize) -> &mut [f64; CHANNELS] {
    let block = &mut channels[n * CHANNELS..(n + 1) * CHANNELS];
    // the range above has exactly CHANNELS elements, so the conversion cannot fail
    match <&mut [f64; CHANNELS]>::try_from(block) {
        Ok(array) => array,
        Err(_) => unreachable!(),
    }
}
