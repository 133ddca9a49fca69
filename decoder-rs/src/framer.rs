//! The streaming framer: a fixed buffer that the host writes into, scanned for packets.
//!
//! The host asks for the input area (`input`), writes up to `INPUT_CAPACITY` bytes there and
//! calls `commit`. New input lands right behind the ≤ 62-byte tail; when it would not fit, the
//! tail moves to the front first. The buffer is one input plus one page: small inputs walk that
//! page before the tail moves back (one move per many calls), and the memory they touch stays a
//! page or two, where a buffer of four inputs kept all its pages resident in every device's
//! decoder (96 KiB more than now).

use crate::checksum;
use crate::constants::{COUNTER_OFFSET, EEG_EVENT_ID, EVENT_ID_OFFSET, MAX_TAIL, PACKET_LEN, SYNC_BYTE};
use crate::output::Output;
use crate::packet::{write_eeg, write_event};
use crate::stats::Stats;

/// Bytes the host may write per `commit`.
pub const INPUT_CAPACITY: usize = 32 * 1024;
/// The buffer: one input and one page (which holds the longest tail).
pub const BUFFER_LEN: usize = INPUT_CAPACITY + 4096;
const _: () = assert!(BUFFER_LEN >= INPUT_CAPACITY + MAX_TAIL);

pub struct Framer {
    buf: [u8; BUFFER_LEN],
    /// First unconsumed byte (start of the tail).
    start: usize,
    /// End of the bytes written so far.
    end: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    last_counter: Option<u8>,
    stats: Stats,
}

impl Framer {
    pub const fn new() -> Self {
        Framer { buf: [0; BUFFER_LEN], start: 0, end: 0, base: 0, last_counter: None, stats: Stats::new() }
    }

    /// Forgets everything: buffered bytes, counter history and statistics.
    pub fn reset(&mut self) {
        self.start = 0;
        self.end = 0;
        self.base = 0;
        self.last_counter = None;
        self.stats = Stats::new();
    }

    /// The area the next input must be written to (`INPUT_CAPACITY` bytes).
    pub fn input(&mut self) -> &mut [u8] {
        if self.end + INPUT_CAPACITY > BUFFER_LEN {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        &mut self.buf[self.end..self.end + INPUT_CAPACITY]
    }

    /// Decodes `len` bytes just written to `input()`; returns the packets written to `out`.
    /// `len` must not exceed `INPUT_CAPACITY` (callers split larger chunks).
    pub fn commit(&mut self, len: usize, out: &mut Output) -> usize {
        let len = len.min(INPUT_CAPACITY);
        self.stats.bytes_in += len as u64;
        self.end += len;
        let count = self.scan(out);
        out.count = count;
        count
    }

    /// Copies `data` in and decodes it, calling `each` once per internal block (convenience
    /// for hosts that are not WebAssembly, and for tests).
    pub fn feed<F: FnMut(&Output)>(&mut self, data: &[u8], out: &mut Output, mut each: F) {
        for piece in data.chunks(INPUT_CAPACITY) {
            self.input()[..piece.len()].copy_from_slice(piece);
            self.commit(piece.len(), out);
            each(out);
        }
        if data.is_empty() {
            self.commit(0, out);
            each(out);
        }
    }

    /// Drops the retained partial packet (≤ 62 bytes) and returns how many bytes it held.
    ///
    /// For a stream that was cut and resumed (a capture of several connections): the next
    /// bytes must not complete the old packet. The bytes count as skipped; the statistics and
    /// the counter history stay, so the resumed stream's first counter jump counts as lost
    /// packets, as a gap inside one connection would.
    pub fn discard_tail(&mut self) -> usize {
        let dropped = self.end - self.start;
        self.stats.bytes_skipped += dropped as u64;
        self.start = self.end;
        dropped
    }

    pub fn residual(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    fn scan(&mut self, out: &mut Output) -> usize {
        let end = self.end;
        let mut i = self.start;
        let mut n = 0;
        // locals rather than fields: the compiler keeps them in registers across the loop
        let mut last_counter = self.last_counter;
        let mut stats = self.stats;
        while i < end {
            if self.buf[i] != SYNC_BYTE {
                let skipped = self.buf[i..end].iter().position(|&b| b == SYNC_BYTE).unwrap_or(end - i);
                stats.bytes_skipped += skipped as u64;
                i += skipped;
                continue;
            }
            if end - i < PACKET_LEN {
                break;
            }
            let window = window_at(&self.buf, i);
            if !checksum::is_valid(window) {
                // slide one byte so a sync byte inside this window still gets its chance
                stats.checksum_failures += 1;
                stats.bytes_skipped += 1;
                i += 1;
                continue;
            }
            out.offset[n] = (self.base + i as u64) as f64;
            if window[EVENT_ID_OFFSET] == EEG_EVENT_ID {
                write_eeg(window, out, n, &mut stats);
                let counter = window[COUNTER_OFFSET];
                stats.count_counter(last_counter, counter);
                last_counter = Some(counter);
                stats.eeg_packets += 1;
            } else {
                write_event(window, out, n);
                stats.event_packets += 1;
            }
            n += 1;
            i += PACKET_LEN;
        }
        self.last_counter = last_counter;
        self.stats = stats;
        self.start = i;
        debug_assert!(self.end - self.start <= MAX_TAIL);
        n
    }
}

impl Default for Framer {
    fn default() -> Self {
        Self::new()
    }
}

/// The 63 bytes at `at`; callers guarantee `at + 63 <= buf.len()`.
#[inline(always)]
fn window_at(buf: &[u8], at: usize) -> &[u8; PACKET_LEN] {
    match <&[u8; PACKET_LEN]>::try_from(&buf[at..at + PACKET_LEN]) {
        Ok(window) => window,
        Err(_) => unreachable!(),
    }
}

#[cfg(test)]
#[path = "framer_tests.rs"]
mod tests;
