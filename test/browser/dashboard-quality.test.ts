/**
 * @module The dashboard's quality view in real Chromium against a Bun, a Deno and a Node bridge replaying a
 * capture built here: a lead-off, a flat and a railed channel among simulated EEG, and constant REF/DRL;
 * then the view going stale while the simulator is disconnected.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LEAD_OFF_RAW, PACKET_LEN, UV_PER_COUNT } from "../../src/decoder/types.ts";
import { QUALITY_SENTENCES } from "../../src/protocol/metrics.ts";
import { writePacket } from "../../src/sources/packet-builder.ts";
import { createEegSignal } from "../../src/sources/signal.ts";
import { haveChromium, until } from "../_support/browser.ts";
import { chromiumForSuite } from "../_support/browser-suite.ts";
import { expectRowsMatch, qualityView, withDashboard } from "../_support/dashboard-page.ts";
import { RUNTIMES } from "../_support/server-process.ts";

const TIMEOUT = 60_000;
const dir = mkdtempSync(join(tmpdir(), "mw75-dashboard-quality-"));
const CAPTURE = join(dir, "quality.bin");
/** The replay ends after this long; each test is done well before (≈ 5 s idle). */
const CAPTURE_S = 40;
const LEAD_OFF_CH = 3, FLAT_CH = 5, RAILED_CH = 9;
/** Exact in f32, and the decimation filter passes a constant unchanged. */
const REF = 42.5, DRL = -7.25;

/**
 * Simulated EEG on every channel except: ch3 on the lead-off sentinel, ch5 constant (RMS 0: flat),
 * ch9 a ±1000 µV square wave (RMS 1000 µV: railed).
 */
function writeCapture(path: string): void {
  const packets = CAPTURE_S * 500;
  const out = new Uint8Array(packets * PACKET_LEN);
  const signal = createEegSignal(7, 500);
  const raw = new Float32Array(12);
  for (let i = 0; i < packets; i++) {
    raw.set(signal.next().raw);
    raw[LEAD_OFF_CH - 1] = LEAD_OFF_RAW;
    raw[FLAT_CH - 1] = 100;
    raw[RAILED_CH - 1] = (Math.floor(i / 36) % 2 === 0 ? 1000 : -1000) / UV_PER_COUNT;
    writePacket(out, i * PACKET_LEN, { counter: i, ref: REF, drl: DRL, rawChannels: raw });
  }
  writeFileSync(path, out);
}

describe.skipIf(!haveChromium())("dashboard quality view in Chromium", () => {
  const browser = chromiumForSuite(() => writeCapture(CAPTURE));

  test.each([...RUNTIMES])(
    "%s bridge: levels, words, RMS and bands from the server's metrics; lead-off, flat and railed channels; REF/DRL",
    async (runtime) => {
      await withDashboard(
        browser(),
        runtime,
        ["--source", `replay:${CAPTURE}`, "--autoconnect"],
        "/",
        async (page, errors) => {
          // the first message needs 2 s of samples; 20 s is ≥ 5× what start-up and that take idle
          await until(page, `window.__mw75.metricsReceived() >= 2`, 20_000);
          const view = await qualityView(page);
          expectRowsMatch(view);
          const byCh = new Map(view.rows.map((r) => [r.ch, r]));
          expect(byCh.get(LEAD_OFF_CH)).toMatchObject({
            quality: "off",
            level: "off",
            rms: "–",
            why: QUALITY_SENTENCES.lead_off,
          });
          expect(byCh.get(FLAT_CH)).toMatchObject({ quality: "poor", why: QUALITY_SENTENCES.flat });
          expect(byCh.get(RAILED_CH)).toMatchObject({
            quality: "poor",
            rms: "1000.0",
            why: QUALITY_SENTENCES.railed,
          });
          // the simulated channels: a level and tens of µV (the simulator's alpha + noise)
          for (const r of view.rows) {
            if ([LEAD_OFF_CH, FLAT_CH, RAILED_CH].includes(r.ch)) continue;
            expect(["good", "fair", "poor"]).toContain(r.quality);
            expect(Number(r.rms)).toBeGreaterThan(5);
            expect(Number(r.rms)).toBeLessThan(100);
          }
          expect(view.bands[LEAD_OFF_CH - 1]).toEqual(["–", "–", "–", "–", "–"]);

          // relative: the five bands split the 1–45 Hz power, so a row sums to 100 % (5 × 0.05 rounding)
          await page.selectOption("#band-unit", "relative");
          const percent = (await qualityView(page)).bands[0]!.map(Number);
          expect(Math.abs(percent.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(0.3);

          // REF/DRL are read 4×/s from the batches (ref_drl planes)
          await until(
            page,
            `document.getElementById("ref-value").textContent === "${REF.toFixed(2)}" && ` +
              `document.getElementById("drl-value").textContent === "${DRL.toFixed(2)}"`,
          );
          await page.locator("#quality-view").screenshot({ path: join(dir, `${runtime}.png`) });
          expect(errors).toEqual([]);
        },
      );
    },
    TIMEOUT,
  );

  test(
    "the view greys out when the device stops sending, and clears when it streams again",
    async () => {
      await withDashboard(browser(), "bun", [], "/", async (page, errors) => {
        await until(page, `document.getElementById("conn").textContent === "open"`);
        await page.click("#connect");
        await until(page, `window.__mw75.metricsReceived() > 0`, 20_000);
        expect(await page.locator("#quality-view.stale").count()).toBe(0);
        await page.click("#disconnect");
        // stale 3 s after the last message, seen by a 250-ms tick: 15 s leaves 11 s of margin
        await until(page, `document.getElementById("quality-view").classList.contains("stale")`);
        // the band table and the plot labels are marked with it
        expect(await page.evaluate(`document.body.classList.contains("metrics-stale")`)).toBe(true);
        const n = (await page.evaluate("window.__mw75.metricsReceived()")) as number;
        await page.click("#connect");
        await until(page, `window.__mw75.metricsReceived() > ${n}`, 20_000);
        await until(page, `!document.getElementById("quality-view").classList.contains("stale")`);
        expect(errors).toEqual([]);
      });
    },
    TIMEOUT,
  );
});
