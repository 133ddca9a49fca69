/**
 * @module A device's Recordings while a start waits or a recording ends by itself: `/devices` does not
 * show the previous recording during a start, and a start sent while a recording that reached its
 * duration is still closing its files waits for that end instead of getting RECORDING_ALREADY_ACTIVE.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRecordingStore } from "../../src/adapters/recording-store.ts";
import { systemClock } from "../../src/core/clock.ts";
import type { Device, DeviceListener } from "../../src/core/device.ts";
import type { DeviceIdentity } from "../../src/core/device-registry.ts";
import type { DeviceSession } from "../../src/core/session.ts";
import type { StartRequest } from "../../src/protocol/recording-requests.ts";
import type { RecordingStore } from "../../src/recording/store.ts";
import { describeDevice } from "../../src/server/device-info.ts";
import { Recordings } from "../../src/server/recordings.ts";
import { makeBlock, range } from "./edf-reader.ts";

/** A gate a store operation waits at until `open()`; `reached` resolves when something waits there. */
function gate(): { wait: () => Promise<void>; open: () => void; reached: Promise<void> } {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const reachedP = new Promise<void>((r) => (reached = r));
  return { wait: () => (reached(), opened), open, reached: reachedP };
}

/** Recordings of a fake device (samples pushed by the test) into a temporary directory, with hooks into the store. */
function setup(hooks: { ensureDir?: () => Promise<void>; close?: () => Promise<void> }) {
  const dir = mkdtempSync(join(tmpdir(), "mw75-recordings-queue-"));
  const real = createRecordingStore(dir);
  const store: RecordingStore = {
    ...real,
    dir: real.dir,
    ensureDir: async () => {
      await hooks.ensureDir?.();
      return real.ensureDir();
    },
    create: async (name) => {
      const file = await real.create(name);
      return {
        get name() {
          return file.name;
        },
        get bytes() {
          return file.bytes;
        },
        append: (b) => file.append(b),
        writeAt: (o, b) => file.writeAt(o, b),
        sync: () => file.sync(),
        truncate: (n) => file.truncate(n),
        close: async () => {
          await hooks.close?.();
          return file.close();
        },
      };
    },
  };
  let listener!: DeviceListener;
  const device = {
    listen: (l: DeviceListener) => ((listener = l), () => {}),
    session: { pendingBytes: () => new Uint8Array(0) },
    seqAt: () => null,
    emit: () => {},
  } as unknown as Device;
  const recordings = new Recordings({
    device,
    attach: (l: DeviceListener) => ((listener = l), () => {}),
    store,
    clock: systemClock,
    log: { log: () => {} },
    context: {
      deviceName: "test",
      deviceAddress: null,
      source: "fake",
      synthetic: true,
      bridgeVersion: "test",
    },
    labels: () => ({ subject: "", session_label: "" }),
    announce: () => {},
    failed: () => {},
  });
  const samples = (seqs: number[]) => listener.onSamples!(makeBlock(seqs, (seq) => seq * 0.023842));
  return { dir, recordings, samples, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const request = (sessionName: string, durationS: number | null = null): StartRequest => ({
  sessionName,
  formats: ["csv"],
  durationS,
  subject: null,
  notes: null,
});

const identity: DeviceIdentity = {
  id: "d1",
  kind: "sim",
  name: "sim",
  address: null,
} as DeviceIdentity;
const session = { reportedState: "connected", batteryLevel: 80 } as unknown as DeviceSession;

describe("Recordings: a start under way, a recording ending by itself", () => {
  test("while a start creates its files, /devices shows no recording (not the previous one)", async () => {
    let hold: ReturnType<typeof gate> | null = null;
    const t = setup({ ensureDir: () => hold?.wait() ?? Promise.resolve() });
    try {
      expect((await t.recordings.start(request("first"))).ok).toBe(true);
      t.samples(range(0, 500)); // one whole data record: the stop has none to complete
      expect((await t.recordings.stop()).ok).toBe(true);
      hold = gate();
      const second = t.recordings.start(request("second"));
      await hold.reached;
      expect(describeDevice(identity, session, 1, t.recordings)["recording"]).toBeNull();
      hold.open();
      expect((await second).ok).toBe(true);
      expect(describeDevice(identity, session, 1, t.recordings)["recording"]).toMatchObject({
        session_name: "second",
        state: "recording",
      });
      await t.recordings.close();
    } finally {
      t.remove();
    }
  });

  test("a start sent while a recording that reached its duration closes its files is acknowledged once it ended", async () => {
    let hold: ReturnType<typeof gate> | null = null;
    const t = setup({ close: () => hold?.wait() ?? Promise.resolve() });
    try {
      hold = gate();
      // 0.1 s = 50 samples: the 60 pushed reach the end, and its stop waits at the closing file
      expect((await t.recordings.start(request("short", 0.1))).ok).toBe(true);
      t.samples(range(0, 60));
      await hold.reached;
      const next = t.recordings.start(request("next"));
      hold.open();
      const result = await next;
      expect(result.ok ? { ok: true, name: result.recording["session_name"] } : result).toEqual({
        ok: true,
        name: "next",
      });
      const status = t.recordings.status();
      expect([status?.["session_name"], status?.["state"]]).toEqual(["next", "recording"]);
      await t.recordings.close();
    } finally {
      t.remove();
    }
  });
});
