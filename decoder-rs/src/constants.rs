//! Wire constants of the MW75 packet; offsets are derived from the field sizes.

pub const SYNC_BYTE: u8 = 0xAA;
pub const EEG_EVENT_ID: u8 = 239;
pub const CHANNELS: usize = 12;

const SYNC_LEN: usize = 1;
const EVENT_ID_LEN: usize = 1;
const DATA_LENGTH_LEN: usize = 1;
const COUNTER_LEN: usize = 1;
const FLOAT_LEN: usize = 4;
const STATUS_LEN: usize = 1;
const CHECKSUM_LEN: usize = 2;

pub const EVENT_ID_OFFSET: usize = SYNC_LEN;
pub const COUNTER_OFFSET: usize = EVENT_ID_OFFSET + EVENT_ID_LEN + DATA_LENGTH_LEN;
pub const REF_OFFSET: usize = COUNTER_OFFSET + COUNTER_LEN;
pub const DRL_OFFSET: usize = REF_OFFSET + FLOAT_LEN;
pub const CHANNELS_OFFSET: usize = DRL_OFFSET + FLOAT_LEN;
pub const STATUS_OFFSET: usize = CHANNELS_OFFSET + CHANNELS * FLOAT_LEN;
pub const CHECKSUM_OFFSET: usize = STATUS_OFFSET + STATUS_LEN;
pub const PACKET_LEN: usize = CHECKSUM_OFFSET + CHECKSUM_LEN;

/// Microvolts per raw count, applied in f64 like the reference server (JSON parity).
pub const UV_PER_COUNT: f64 = 0.023842;

/// Bits of the f32 raw value 8388607.0 (2^23 - 1): the headset's "electrode off" code.
pub const LEAD_OFF_BITS: u32 = 0x4AFF_FFFE;

/// Bytes kept between calls at most: a packet that still misses its last byte.
pub const MAX_TAIL: usize = PACKET_LEN - 1;

const _: () = assert!(PACKET_LEN == 63);
const _: () = assert!(STATUS_OFFSET == 60);
