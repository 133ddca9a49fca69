//! The packet checksum: the plain sum of bytes 0..=60, read eight bytes at a time.

use crate::constants::{CHECKSUM_OFFSET, PACKET_LEN};

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
const LOW_BYTES: u64 = 0x00FF_00FF_00FF_00FF;
/// Keeps bytes 56..=60 of the word loaded at offset 55 (its lanes 1..=5).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
const LAST_WORD_MASK: u64 = 0x0000_FFFF_FFFF_FF00;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn word(window: &[u8; PACKET_LEN], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&window[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// Sum of bytes 0..=60 modulo 65536.
///
/// Each word is split into four 16-bit lanes of byte pairs; 61 bytes of at most 255 cannot
/// overflow a lane (8 words × 510 < 65536), and one multiply folds the lanes together.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
pub fn checksum(window: &[u8; PACKET_LEN]) -> u16 {
    let mut lanes = 0u64;
    let mut at = 0;
    while at + 8 <= 56 {
        let x = word(window, at);
        lanes += (x & LOW_BYTES) + ((x >> 8) & LOW_BYTES);
        at += 8;
    }
    let x = word(window, 55) & LAST_WORD_MASK;
    lanes += (x & LOW_BYTES) + ((x >> 8) & LOW_BYTES);
    (lanes.wrapping_mul(0x0001_0001_0001_0001) >> 48) as u16
}

/// Sum of bytes 0..=60 modulo 65536, sixteen bytes per vector (WebAssembly SIMD).
///
/// Four loads cover bytes 0..=47 and 45..=60; the three bytes read twice are masked off.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
pub fn checksum(window: &[u8; PACKET_LEN]) -> u16 {
    use core::arch::wasm32::*;
    let overlap = u8x16(0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    // SAFETY: every load reads 16 bytes inside the 63-byte window (the last one ends at byte 60);
    // WebAssembly vector loads need no alignment.
    let (a, b, c, d) = unsafe {
        let p = window.as_ptr();
        (
            v128_load(p as *const v128),
            v128_load(p.add(16) as *const v128),
            v128_load(p.add(32) as *const v128),
            v128_and(v128_load(p.add(45) as *const v128), overlap),
        )
    };
    let pairs = u16x8_add(
        u16x8_add(u16x8_extadd_pairwise_u8x16(a), u16x8_extadd_pairwise_u8x16(b)),
        u16x8_add(u16x8_extadd_pairwise_u8x16(c), u16x8_extadd_pairwise_u8x16(d)),
    );
    let quads = u32x4_extadd_pairwise_u16x8(pairs);
    let halves = u32x4_add(quads, i32x4_shuffle::<2, 3, 0, 1>(quads, quads));
    let total = u32x4_add(halves, i32x4_shuffle::<1, 0, 3, 2>(halves, halves));
    u32x4_extract_lane::<0>(total) as u16
}

/// The checksum the packet carries (little-endian at 61..=62).
#[inline(always)]
pub fn stored_checksum(window: &[u8; PACKET_LEN]) -> u16 {
    u16::from_le_bytes([window[CHECKSUM_OFFSET], window[CHECKSUM_OFFSET + 1]])
}

#[inline(always)]
pub fn is_valid(window: &[u8; PACKET_LEN]) -> bool {
    checksum(window) == stored_checksum(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn byte_by_byte(window: &[u8; PACKET_LEN]) -> u16 {
        window[..CHECKSUM_OFFSET].iter().map(|&b| b as u32).sum::<u32>() as u16
    }

    #[test]
    fn word_sum_equals_byte_sum_for_extreme_and_mixed_windows() {
        let mut window = [0xFFu8; PACKET_LEN];
        assert_eq!(checksum(&window), byte_by_byte(&window));
        assert_eq!(checksum(&window), 61 * 255);
        let mut seed = 0x1234_5678u32;
        for _ in 0..10_000 {
            for b in window.iter_mut() {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *b = (seed >> 24) as u8;
            }
            assert_eq!(checksum(&window), byte_by_byte(&window));
        }
    }

    #[test]
    fn checksum_ignores_the_two_checksum_bytes() {
        let mut window = [1u8; PACKET_LEN];
        let before = checksum(&window);
        window[61] = 0x77;
        window[62] = 0x99;
        assert_eq!(checksum(&window), before);
        assert_eq!(before, 61);
    }
}
