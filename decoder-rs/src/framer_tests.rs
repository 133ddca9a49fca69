//! Framer tests: the field's usual cases (split at every byte, garbage, sync in payload, …).

use super::*;
use crate::constants::*;

fn packet(counter: u8, event_id: u8, raw: &[f32]) -> [u8; PACKET_LEN] {
    let mut p = [0u8; PACKET_LEN];
    p[0] = SYNC_BYTE;
    p[1] = event_id;
    p[2] = 0x3C;
    p[3] = counter;
    p[REF_OFFSET..REF_OFFSET + 4].copy_from_slice(&1.5f32.to_le_bytes());
    p[DRL_OFFSET..DRL_OFFSET + 4].copy_from_slice(&(-2.5f32).to_le_bytes());
    for (k, value) in raw.iter().enumerate() {
        let at = CHANNELS_OFFSET + 4 * k;
        p[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }
    let sum: u32 = p[..CHECKSUM_OFFSET].iter().map(|&b| b as u32).sum();
    p[CHECKSUM_OFFSET..].copy_from_slice(&(sum as u16).to_le_bytes());
    p
}

fn eeg(counter: u8) -> [u8; PACKET_LEN] {
    packet(counter, EEG_EVENT_ID, &[1000.0, -5000.0, 0.5])
}

/// Feeds `chunks` one call each; returns (call index, event id, counter, offset) per packet.
fn run(framer: &mut Framer, chunks: &[&[u8]]) -> Vec<(usize, u8, u8, u64)> {
    let mut out = Box::new(Output::new());
    let mut seen = Vec::new();
    for (call, chunk) in chunks.iter().enumerate() {
        framer.feed(chunk, &mut out, |o| {
            for i in 0..o.count {
                seen.push((call, o.event_id[i], o.counter[i], o.offset[i] as u64));
            }
        });
    }
    seen
}

fn stream(packets: &[[u8; PACKET_LEN]]) -> Vec<u8> {
    packets.iter().flat_map(|p| p.iter().copied()).collect()
}

#[test]
fn one_packet_decodes_with_scaled_channels_and_unscaled_ref_drl() {
    let mut framer = Box::new(Framer::new());
    let mut out = Box::new(Output::new());
    framer.feed(&eeg(6), &mut out, |_| {});
    assert_eq!(out.count, 1);
    assert_eq!((out.event_id[0], out.counter[0]), (EEG_EVENT_ID, 6));
    assert_eq!((out.reference[0], out.drl[0]), (1.5, -2.5));
    assert_eq!(&out.channels_of(0)[..3], &[1000.0 * UV_PER_COUNT, -5000.0 * UV_PER_COUNT, 0.5 * UV_PER_COUNT]);
    assert_eq!(framer.stats().eeg_packets, 1);
}

#[test]
fn feed_split_at_every_byte_yields_both_packets_in_the_call_that_completes_them() {
    let bytes = stream(&[eeg(1), eeg(2)]);
    for cut in 0..=bytes.len() {
        let mut framer = Box::new(Framer::new());
        let seen = run(&mut framer, &[&bytes[..cut], &bytes[cut..]]);
        let calls: Vec<usize> = seen.iter().map(|s| s.0).collect();
        let expected = match cut {
            0..=62 => vec![1, 1],
            63..=125 => vec![0, 1],
            _ => vec![0, 0],
        };
        assert_eq!(calls, expected, "cut at {}", cut);
        assert!(framer.residual().is_empty());
    }
}

#[test]
fn byte_by_byte_feeding_equals_one_call() {
    let bytes = stream(&[eeg(1), eeg(2), eeg(3)]);
    let singles: Vec<&[u8]> = bytes.chunks(1).collect();
    let mut framer = Box::new(Framer::new());
    let seen = run(&mut framer, &singles);
    assert_eq!(seen.iter().map(|s| (s.0, s.2)).collect::<Vec<_>>(), vec![(62, 1), (125, 2), (188, 3)]);
}

#[test]
fn garbage_prefix_is_skipped_and_counted() {
    let mut bytes = vec![0x01, 0x02, 0x03, 0x55];
    bytes.extend(stream(&[eeg(1), eeg(2)]));
    let mut framer = Box::new(Framer::new());
    let seen = run(&mut framer, &[&bytes]);
    assert_eq!(seen.iter().map(|s| s.3).collect::<Vec<_>>(), vec![4, 67]);
    assert_eq!(framer.stats().bytes_skipped, 4);
    assert_eq!(framer.stats().checksum_failures, 0);
}

#[test]
fn sync_byte_inside_payload_is_not_a_packet_start() {
    let mut p = packet(1, EEG_EVENT_ID, &[f32::from_le_bytes([0xAA, 0xAA, 0xAA, 0x3F])]);
    p[60] = 0xAA; // feature status byte too
    let sum: u32 = p[..CHECKSUM_OFFSET].iter().map(|&b| b as u32).sum();
    p[CHECKSUM_OFFSET..].copy_from_slice(&(sum as u16).to_le_bytes());
    let mut framer = Box::new(Framer::new());
    let seen = run(&mut framer, &[&stream(&[p, eeg(2)])]);
    assert_eq!(seen.len(), 2);
    assert_eq!(framer.stats().checksum_failures, 0);
}

#[test]
fn corrupted_packet_is_lost_and_the_next_valid_one_decodes() {
    let mut bad = eeg(1);
    bad[30] ^= 0x40;
    let mut framer = Box::new(Framer::new());
    let seen = run(&mut framer, &[&stream(&[bad, eeg(2), eeg(3)])]);
    assert_eq!(seen.iter().map(|s| s.2).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(framer.stats().checksum_failures, 1);
    assert_eq!(framer.stats().lost_packets, 0);
}

#[test]
fn chunk_boundary_at_64_bytes_keeps_the_partial_second_packet() {
    let bytes = stream(&[eeg(1), eeg(2)]);
    let mut framer = Box::new(Framer::new());
    let first = run(&mut framer, &[&bytes[..64]]);
    assert_eq!(first.len(), 1);
    assert_eq!(framer.residual(), &bytes[63..64]);
    let second = run(&mut framer, &[&bytes[64..]]);
    assert_eq!(second.iter().map(|s| s.3).collect::<Vec<_>>(), vec![63]);
}

#[test]
fn empty_input_changes_nothing() {
    let mut framer = Box::new(Framer::new());
    assert!(run(&mut framer, &[&[], &[]]).is_empty());
    assert_eq!(*framer.stats(), Stats::new());
}

#[test]
fn tail_never_exceeds_62_bytes_even_for_long_sync_runs() {
    let mut framer = Box::new(Framer::new());
    let run_of_sync = vec![SYNC_BYTE; 1000];
    run(&mut framer, &[&run_of_sync]);
    assert_eq!(framer.residual().len(), MAX_TAIL);
    assert_eq!(framer.stats().checksum_failures, 1000 - 62);
}

#[test]
fn counters_wrap_gap_and_repeat_through_the_framer() {
    let counters = [254u8, 255, 0, 1, 4, 4, 5];
    let packets: Vec<[u8; PACKET_LEN]> = counters.iter().map(|&c| eeg(c)).collect();
    let mut framer = Box::new(Framer::new());
    run(&mut framer, &[&stream(&packets)]);
    assert_eq!((framer.stats().lost_packets, framer.stats().duplicate_packets), (2, 1));
}

#[test]
fn raw_sentinel_sets_the_lead_off_bit_of_that_channel_only() {
    let mut framer = Box::new(Framer::new());
    let mut out = Box::new(Output::new());
    framer.feed(&packet(1, EEG_EVENT_ID, &[0.0, 8_388_607.0, -8_388_607.0, 8_388_608.0]), &mut out, |_| {});
    assert_eq!(out.lead_off[0], 0b10);
    assert_eq!(out.channels_of(0)[1], 8_388_607.0 * UV_PER_COUNT);
}

#[test]
fn nan_and_infinity_are_flagged_and_counted() {
    let mut framer = Box::new(Framer::new());
    let mut out = Box::new(Output::new());
    framer.feed(&packet(1, EEG_EVENT_ID, &[f32::NAN, 1.0, f32::NEG_INFINITY]), &mut out, |_| {});
    assert_eq!(out.count, 1);
    assert_eq!(out.non_finite[0], 0b101);
    assert!(out.channels_of(0)[0].is_nan());
    assert_eq!(framer.stats().non_finite_values, 2);
}

#[test]
fn other_events_keep_their_raw_bytes() {
    let event = packet(9, 100, &[]);
    let mut framer = Box::new(Framer::new());
    let mut out = Box::new(Output::new());
    framer.feed(&stream(&[eeg(1), event]), &mut out, |_| {});
    assert_eq!((out.count, out.event_id[1], out.counter[1]), (2, 100, 9));
    assert_eq!(out.raw_of(1), &event[..]);
    assert_eq!(framer.stats().event_packets, 1);
}

#[test]
fn input_larger_than_the_input_area_is_fed_in_blocks_with_exact_offsets() {
    let packets: Vec<[u8; PACKET_LEN]> = (0..3000u32).map(|i| eeg(i as u8)).collect();
    let bytes = stream(&packets);
    let mut framer = Box::new(Framer::new());
    let seen = run(&mut framer, &[&bytes]);
    assert_eq!(seen.len(), 3000);
    assert!(seen.iter().enumerate().all(|(i, s)| s.3 == 63 * i as u64));
    assert_eq!(framer.stats().bytes_in, bytes.len() as u64);
}

#[test]
fn discard_tail_drops_the_partial_packet_and_counts_it_as_skipped() {
    let bytes = stream(&[eeg(1), eeg(2)]);
    let mut framer = Box::new(Framer::new());
    run(&mut framer, &[&bytes[..63 + 40]]);
    let before = *framer.stats();
    assert_eq!(framer.discard_tail(), 40);
    assert!(framer.residual().is_empty());
    assert_eq!(framer.stats().bytes_skipped, before.bytes_skipped + 40);
    assert_eq!(Stats { bytes_skipped: before.bytes_skipped, ..*framer.stats() }, before);
}

#[test]
fn after_discard_tail_the_next_connection_decodes_cleanly_and_its_counter_jump_is_lost() {
    let first = stream(&[eeg(10), eeg(11)]);
    let second = stream(&[eeg(0), eeg(1)]);
    let mut framer = Box::new(Framer::new());
    // the first connection ends 20 bytes into packet 11
    run(&mut framer, &[&first[..63 + 20]]);
    assert_eq!(framer.discard_tail(), 20);
    let seen = run(&mut framer, &[&second]);
    assert_eq!(seen.iter().map(|s| s.2).collect::<Vec<_>>(), vec![0, 1]);
    let stats = framer.stats();
    assert_eq!(stats.checksum_failures, 0);
    // 10 → 0 skips 11..=255: 245 packets, counted exactly like a gap inside one connection
    assert_eq!((stats.eeg_packets, stats.lost_packets, stats.duplicate_packets), (3, 245, 0));
}

#[test]
fn without_discard_tail_the_glued_connections_fail_checksums() {
    let first = stream(&[eeg(10), eeg(11)]);
    let second = stream(&[eeg(0), eeg(1)]);
    let mut framer = Box::new(Framer::new());
    run(&mut framer, &[&first[..63 + 20], &second]);
    assert!(framer.stats().checksum_failures > 0);
}

#[test]
fn discard_tail_with_no_tail_returns_zero_and_changes_nothing() {
    let mut framer = Box::new(Framer::new());
    assert_eq!(framer.discard_tail(), 0);
    run(&mut framer, &[&eeg(5)]);
    let before = *framer.stats();
    assert_eq!(framer.discard_tail(), 0);
    assert_eq!(*framer.stats(), before);
    // the counter history survives: 5 → 7 misses one packet
    run(&mut framer, &[&eeg(7)]);
    assert_eq!(framer.stats().lost_packets, 1);
}

#[test]
fn tails_moved_back_to_the_front_keep_exact_offsets_and_counters() {
    // 1000-byte calls end mid-packet almost every time (1000 = 15 × 63 + 55), and the stream (~1.5 MB)
    // is many times the buffer: the tail moves back to the front every few calls, and the stream
    // offsets and counters must survive every move
    let packets: Vec<[u8; PACKET_LEN]> = (0..25_000u32).map(|i| eeg(i as u8)).collect();
    let bytes = stream(&packets);
    let chunks: Vec<&[u8]> = bytes.chunks(1000).collect();
    let mut framer = Box::new(Framer::new());
    let seen = run(&mut framer, &chunks);
    assert_eq!(seen.len(), 25_000);
    assert!(seen.iter().enumerate().all(|(i, s)| s.3 == 63 * i as u64 && s.2 == i as u8));
    assert!(seen.iter().all(|s| s.0 == (s.3 as usize + PACKET_LEN - 1) / 1000));
    assert_eq!(framer.stats().bytes_skipped, 0);
}
