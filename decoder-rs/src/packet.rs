//! Decodes one checksum-valid 63-byte window into slot `n` of an `Output`.

use crate::constants::*;
use crate::output::{Output, NON_FINITE_DRL, NON_FINITE_REF, OUTPUT_CAPACITY};
use crate::stats::Stats;

const EXPONENT_MASK: u32 = 0x7F80_0000;

#[inline(always)]
fn bits_at(window: &[u8; PACKET_LEN], at: usize) -> u32 {
    // copy_from_slice compiles to one unaligned load; an array of four indexed bytes does not
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&window[at..at + 4]);
    u32::from_le_bytes(bytes)
}

#[inline(always)]
fn is_non_finite(bits: u32) -> bool {
    bits & EXPONENT_MASK == EXPONENT_MASK
}

/// Exponent field of 4194304.0 (2^22): every lead-off or non-finite value is at least this big.
const BIG_EXPONENT: u32 = 0x4A80_0000;
/// Added to a value's exponent field, sets bit 31 exactly when that field is ≥ `BIG_EXPONENT`.
const BIG_EXPONENT_CARRY: u32 = 0x8000_0000 - BIG_EXPONENT;

/// Bit 31 set when `bits` has an exponent ≥ 2^22: a cheap, branch-free pre-check.
#[inline(always)]
fn big_flag(bits: u32) -> u32 {
    (bits & EXPONENT_MASK) + BIG_EXPONENT_CARRY
}

/// Writes an EEG packet (event id 239) into slot `n`.
///
/// Lead-off and NaN/Inf tests run only when the pre-check fires: both codes have an exponent
/// of at least 2^22, which real EEG never reaches.
#[inline(always)]
pub fn write_eeg(window: &[u8; PACKET_LEN], out: &mut Output, n: usize, stats: &mut Stats) {
    if n >= OUTPUT_CAPACITY {
        return; // unreachable by construction; this one test lets the compiler drop the others
    }
    let ref_bits = bits_at(window, REF_OFFSET);
    let drl_bits = bits_at(window, DRL_OFFSET);
    out.event_id[n] = EEG_EVENT_ID;
    out.counter[n] = window[COUNTER_OFFSET];
    out.feature_status[n] = window[STATUS_OFFSET];
    out.reference[n] = f32::from_bits(ref_bits) as f64;
    out.drl[n] = f32::from_bits(drl_bits) as f64;

    let big = big_flag(ref_bits) | big_flag(drl_bits);
    let any_big = scale_channels(window, slot(&mut out.channels, n)) || big & 0x8000_0000 != 0;

    let (mut lead_off, mut non_finite) = (0u16, 0u16);
    if any_big {
        for k in 0..CHANNELS {
            let bits = bits_at(window, CHANNELS_OFFSET + 4 * k);
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

/// Writes the 12 channels in µV; true when any raw value is big enough to need the exact tests.
///
/// The scale is applied after widening to f64: the same arithmetic as the reference server.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn scale_channels(window: &[u8; PACKET_LEN], scaled: &mut [f64; CHANNELS]) -> bool {
    let mut big = 0;
    for (k, value) in scaled.iter_mut().enumerate() {
        let bits = bits_at(window, CHANNELS_OFFSET + 4 * k);
        big |= big_flag(bits);
        *value = f32::from_bits(bits) as f64 * UV_PER_COUNT;
    }
    big & 0x8000_0000 != 0
}

/// The same as the scalar version, four channels per 128-bit vector (WebAssembly SIMD).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn scale_channels(window: &[u8; PACKET_LEN], scaled: &mut [f64; CHANNELS]) -> bool {
    use core::arch::wasm32::*;
    let scale = f64x2_splat(UV_PER_COUNT);
    let exponent = u32x4_splat(EXPONENT_MASK);
    let carry = u32x4_splat(BIG_EXPONENT_CARRY);
    let mut big = u32x4_splat(0);
    for q in 0..CHANNELS / 4 {
        // SAFETY: bytes 12 + 16q .. 28 + 16q lie inside the 63-byte window and f64 slots
        // 4q .. 4q + 4 inside the 12; WebAssembly vector loads and stores need no alignment.
        unsafe {
            let raw = v128_load(window.as_ptr().add(CHANNELS_OFFSET + 16 * q) as *const v128);
            big = v128_or(big, i32x4_add(v128_and(raw, exponent), carry));
            let low = f64x2_promote_low_f32x4(raw);
            let high = f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 2, 3>(raw, raw));
            let out = scaled.as_mut_ptr().add(4 * q);
            v128_store(out as *mut v128, f64x2_mul(low, scale));
            v128_store(out.add(2) as *mut v128, f64x2_mul(high, scale));
        }
    }
    i32x4_bitmask(big) != 0
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
