//! Streaming decoder for the MW75 Neuro EEG byte stream (RFCOMM channel 25).
//!
//! The stream is a sequence of 63-byte little-endian packets with no alignment to the
//! transport's chunks:
//!
//! | offset | size | field                                            |
//! |--------|------|--------------------------------------------------|
//! | 0      | 1    | sync byte `0xAA`                                 |
//! | 1      | 1    | event id (`239` = EEG, anything else = event)    |
//! | 2      | 1    | data length (`0x3C`, never checked)              |
//! | 3      | 1    | counter, +1 per packet, wraps 255 → 0            |
//! | 4      | 4    | REF, f32, unscaled                               |
//! | 8      | 4    | DRL, f32, unscaled                               |
//! | 12     | 48   | channels 1..12, f32 raw ADC counts               |
//! | 60     | 1    | feature status                                   |
//! | 61     | 2    | checksum: sum of bytes 0..=60, mod 65536, LE     |
//!
//! Framing (identical to the reference decoders, pinned by the shared vectors): find `0xAA`,
//! check the 63-byte window; on a bad checksum count it and slide ONE byte; on a good one emit
//! the packet and jump 63 bytes; keep at most 62 bytes (a partial packet) for the next call.
#![cfg_attr(target_arch = "wasm32", no_std)]

pub mod checksum;
pub mod constants;
pub mod framer;
pub mod output;
pub mod packet;
pub mod stats;

#[cfg(target_arch = "wasm32")]
mod ffi;

pub use framer::Framer;
pub use output::Output;
pub use stats::Stats;
