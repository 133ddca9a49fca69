//! The WebAssembly ABI: plain `extern "C"` exports over one framer in static memory.
//!
//! Every export is documented in `wasm/ABI.md`. WebAssembly instances are single-threaded and
//! the host never re-enters an export, so the `static mut` state below is never aliased; each
//! export takes its references for the duration of the call only.

use crate::constants::{CHANNELS, PACKET_LEN};
use crate::framer::{Framer, INPUT_CAPACITY};
use crate::output::{Output, OUTPUT_CAPACITY};
use crate::stats::STATS_FIELDS;

/// Bumped on any change that breaks a host (removed or changed exports, layouts, field order);
/// an added export keeps it, and hosts check for the exports they need.
const ABI_VERSION: u32 = 1;

/// Returned by `feed` when `len` exceeds `input_capacity()`.
const ERR_INPUT_TOO_LONG: i32 = -1;

static mut FRAMER: Framer = Framer::new();
static mut OUTPUT: Output = Output::new();
static mut STATS: [f64; STATS_FIELDS] = [0.0; STATS_FIELDS];
/// Where the next input goes, kept current after every call so hot hosts can read it from
/// memory instead of calling `input_ptr()` before each write.
static mut NEXT_INPUT: u32 = 0;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[no_mangle]
pub extern "C" fn abi_version() -> u32 {
    ABI_VERSION
}

#[no_mangle]
pub extern "C" fn input_capacity() -> u32 {
    INPUT_CAPACITY as u32
}

/// Where the host writes the next input. May move the ≤ 62-byte tail, so ask before each write.
#[no_mangle]
pub extern "C" fn input_ptr() -> *mut u8 {
    unsafe {
        let ptr = FRAMER.input().as_mut_ptr();
        NEXT_INPUT = ptr as u32;
        ptr
    }
}

/// Address of a u32 that always holds what `input_ptr()` would return next.
#[no_mangle]
pub extern "C" fn input_ptr_cell() -> *const u32 {
    input_ptr();
    unsafe { &NEXT_INPUT as *const u32 }
}

/// Decodes `len` bytes written at `input_ptr()`. Returns the number of packets now in the
/// output arrays, or a negative status.
#[no_mangle]
pub extern "C" fn feed(len: u32) -> i32 {
    if len as usize > INPUT_CAPACITY {
        return ERR_INPUT_TOO_LONG;
    }
    let count = unsafe { FRAMER.commit(len as usize, &mut OUTPUT) as i32 };
    input_ptr();
    count
}

#[no_mangle]
pub extern "C" fn reset() {
    unsafe { FRAMER.reset() }
    input_ptr();
}

/// Drops the retained partial packet, keeping statistics and counter history; returns the
/// bytes dropped. `end` does not move, so the next input address stays valid.
#[no_mangle]
pub extern "C" fn discard_tail() -> u32 {
    unsafe { FRAMER.discard_tail() as u32 }
}

#[no_mangle]
pub extern "C" fn residual_ptr() -> *const u8 {
    unsafe { FRAMER.residual().as_ptr() }
}

#[no_mangle]
pub extern "C" fn residual_len() -> u32 {
    unsafe { FRAMER.residual().len() as u32 }
}

/// Refreshes and returns the statistics block (`stats_len()` f64 values).
#[no_mangle]
pub extern "C" fn stats_ptr() -> *const f64 {
    unsafe {
        FRAMER.stats().to_f64(&mut STATS);
        STATS.as_ptr()
    }
}

#[no_mangle]
pub extern "C" fn stats_len() -> u32 {
    STATS_FIELDS as u32
}

#[no_mangle]
pub extern "C" fn output_capacity() -> u32 {
    OUTPUT_CAPACITY as u32
}

#[no_mangle]
pub extern "C" fn channel_count() -> u32 {
    CHANNELS as u32
}

#[no_mangle]
pub extern "C" fn packet_len() -> u32 {
    PACKET_LEN as u32
}

#[no_mangle]
pub extern "C" fn out_event_id_ptr() -> *const u8 {
    unsafe { OUTPUT.event_id.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_counter_ptr() -> *const u8 {
    unsafe { OUTPUT.counter.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_feature_status_ptr() -> *const u8 {
    unsafe { OUTPUT.feature_status.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_lead_off_ptr() -> *const u16 {
    unsafe { OUTPUT.lead_off.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_non_finite_ptr() -> *const u16 {
    unsafe { OUTPUT.non_finite.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_ref_ptr() -> *const f64 {
    unsafe { OUTPUT.reference.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_drl_ptr() -> *const f64 {
    unsafe { OUTPUT.drl.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_channels_ptr() -> *const f64 {
    unsafe { OUTPUT.channels.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_offset_ptr() -> *const f64 {
    unsafe { OUTPUT.offset.as_ptr() }
}

#[no_mangle]
pub extern "C" fn out_raw_ptr() -> *const u8 {
    unsafe { OUTPUT.raw.as_ptr() }
}
