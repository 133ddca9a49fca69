/** @module The dashboard's controls in real Chromium: display filters change the spectrum as designed; token field, device picker and authenticated downloads. */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { haveChromium, until } from "../_support/browser.ts";
import { chromiumForSuite } from "../_support/browser-suite.ts";
import { recordBriefly, tracesMove, withDashboard } from "../_support/dashboard-page.ts";

const TIMEOUT = 90_000;
const TOKEN = "dashboard-test-token-7f3a";
const dir = mkdtempSync(join(tmpdir(), "mw75-dashboard-controls-"));

interface SpectrumOf {
  notchHz: number;
  bandPass: boolean;
  rateHz: number;
}

/** The simulator's alpha envelope: 0.75 + 0.25·sin(2π·0.2·t), so one period is 5 s of signal. */
const ENVELOPE_PERIOD_S = 5;

/** Waits for a spectrum computed with `settings` over data filtered that way only, then reads band powers. */
async function spectrumWith(
  page: Page,
  settings: Omit<SpectrumOf, "rateHz">,
  bands: Array<[number, number]>,
): Promise<number[]> {
  const want = JSON.stringify(settings);
  // the plot restarts on a filter change, so a matching spectrum holds only filtered samples (the
  // rate is 0 until the page's first spectrum); 20 s is ≥ 6× the ~3 s (first spectrum after 2 s of
  // samples, then one 500-ms tick) this takes idle
  await until(
    page,
    `window.__mw75.spectrumOf().rateHz > 0 && JSON.stringify({ notchHz: window.__mw75.spectrumOf().notchHz, bandPass: window.__mw75.spectrumOf().bandPass }) === ${
      JSON.stringify(want)
    }`,
    20_000,
  );
  // Read only spectra over a full 512-point window (the page's size from 512 samples on at 250 Hz)
  // that starts ≥ 1 s after the restart: the notch's start-up transient (time constant Q/(π·f0)
  // ≈ 0.2 s at Q 30, 50 Hz) is then below 1 % in amplitude. Counted in samples, not updates, so a
  // page that is starved of CPU waits for the same signal. 20 s: ≥ 5× the ~3.5 s this takes idle.
  const rate = (await page.evaluate("window.__mw75.spectrumOf().rateHz")) as number;
  await until(page, `window.__mw75.samples() >= ${512 + rate}`, 20_000);
  const u = (await page.evaluate("window.__mw75.spectrumUpdates()")) as number;
  await until(page, `window.__mw75.spectrumUpdates() > ${u}`, 20_000);
  return page.evaluate(averagedPowers(bands, ENVELOPE_PERIOD_S * rate)) as Promise<number[]>;
}

/**
 * Page script: band powers integrated over a whole number (≥ 2) of alpha envelope periods of
 * signal. A windowed spectrum sees mostly the middle second of its 2-s window, so one spectrum's
 * alpha power swings up to 4× with the envelope's phase. Each spectrum is weighted by the samples
 * the plot received since the previous one (the stretch of signal it stands for) and the sum is
 * cut at exactly K periods, so a page whose timers run late under load, and thus skips or bunches
 * spectra, still integrates the envelope evenly rather than over the phases it happened to hit.
 * At least 4 spectra per period keep each quarter of the envelope represented; idle the page makes
 * 10. The 30-s deadline: 2 periods take 10 s idle, so it is 3× that.
 */
function averagedPowers(bands: Array<[number, number]>, periodSamples: number): string {
  return `new Promise((resolve, reject) => {
    const bands = ${JSON.stringify(bands)}, period = ${periodSamples}, t0 = performance.now();
    const spectra = [];
    let last = window.__mw75.spectrumUpdates(), prev = window.__mw75.samples(), covered = 0;
    const timer = setInterval(() => {
      const updates = window.__mw75.spectrumUpdates();
      if (updates !== last) {
        last = updates;
        const now = window.__mw75.samples(), w = now - prev;
        prev = now;
        covered += w;
        spectra.push({ w, p: bands.map(([lo, hi]) => window.__mw75.power(lo, hi)) });
      }
      const k = Math.floor(covered / period);
      if (k >= 2 && spectra.length >= 4 * k) {
        clearInterval(timer);
        const sums = bands.map(() => 0);
        let used = 0;
        for (const s of spectra) {
          const w = Math.max(0, Math.min(s.w, k * period - used));
          used += w;
          s.p.forEach((v, i) => { sums[i] += v * w; });
        }
        resolve(sums.map((v) => v / used));
      } else if (performance.now() - t0 > 30000) {
        clearInterval(timer);
        reject(new Error(\`\${spectra.length} spectra over \${covered} samples (period \${period}) in 30 s\`));
      }
    }, 50);
  })`;
}

describe.skipIf(!haveChromium())("dashboard controls in Chromium", () => {
  const browser = chromiumForSuite(() => console.log(`dashboard screenshots: ${dir}`));

  test(
    "the 50 Hz notch removes the simulator's mains hum and the 1–40 Hz band-pass the content above 40 Hz, alpha stays",
    async () => {
      // decimate 2: 250 Hz on the plot, so 50 Hz and 60–100 Hz are below Nyquist
      await withDashboard(
        browser(),
        "bun",
        ["--autoconnect"],
        "/?decimate=2",
        async (page, errors) => {
          const BANDS: Array<[number, number]> = [[49, 51], [60, 100], [8, 12]];
          const [mains0, high0, alpha0] = await spectrumWith(
            page,
            { notchHz: 0, bandPass: false },
            BANDS,
          );
          expect((await page.evaluate("window.__mw75.spectrumOf().rateHz")) as number).toBe(250);

          await page.selectOption("#notch", "50");
          const [mains1, , alpha1] = await spectrumWith(
            page,
            { notchHz: 50, bandPass: false },
            BANDS,
          );
          await tracesMove(page, dir, "notch");

          await page.check("#bandpass");
          const [mains2, high2, alpha2] = await spectrumWith(
            page,
            { notchHz: 50, bandPass: true },
            BANDS,
          );
          await tracesMove(page, dir, "notch-bandpass");
          console.log(
            `display filters, mean band power µV²: 49–51 Hz ${mains0!.toFixed(3)} → notch ${
              mains1!.toFixed(3)
            } → +band-pass ${mains2!.toFixed(3)}; 60–100 Hz ${high0!.toFixed(3)} → ${
              high2!.toFixed(3)
            }; alpha ${alpha0!.toFixed(1)} → ${alpha1!.toFixed(1)} → ${alpha2!.toFixed(1)}`,
          );

          // the hum (2–6 µV per channel) dominates 49–51 Hz; a Q-30 notch takes it down by far more than 10×
          expect(mains1!).toBeLessThan(mains0! / 10);
          // a second-order 40 Hz low-pass: ≥ 12 dB down from 80 Hz on; over 60–100 Hz at least 4×
          expect(high2!).toBeLessThan(high0! / 4);
          // and neither filter touches the 10 Hz alpha rhythm much (integrated over whole envelope periods:
          // within 1.5× either way; repeated runs, loaded too, agree within a few %)
          for (const a of [alpha1!, alpha2!]) {
            expect(a).toBeGreaterThan(alpha0! / 1.5);
            expect(a).toBeLessThan(alpha0! * 1.5);
          }
          expect(errors).toEqual([]);
        },
      );
    },
    // three measurements, each bounded by its own 90-s TIMEOUT so that a slow one fails with its
    // own message: 300 s is above their sum; idle the test takes ~50 s
    300_000,
  );

  test(
    "with --token: read-only until the token is applied, then control; the picker switches headsets; downloads carry the token",
    async () => {
      const recordings = join(dir, "recordings");
      await withDashboard(
        browser(),
        "bun",
        ["--token", TOKEN, "--sim-devices", "2", "--recordings-dir", recordings],
        "/",
        async (page, errors, server) => {
          await until(page, `document.getElementById("conn").textContent === "open"`);
          // anonymous: connecting is refused with the code, recordings ask for a token
          await page.click("#connect");
          await until(
            page,
            `document.getElementById("ack").textContent.includes("PERMISSION_DENIED")`,
          );
          expect(await page.locator("#ack").getAttribute("class")).toBe("error");
          await until(page, `document.querySelector("#recordings li.hint") !== null`);

          await page.fill("#token", TOKEN);
          await page.click("#apply-token");
          await until(page, `document.getElementById("conn").textContent === "open"`);
          expect(await page.evaluate(`localStorage.getItem("mw75.token")`)).toBe(TOKEN);

          // the picker lists both headsets; choose the second one and connect it
          await until(
            page,
            `!document.getElementById("device-picker-wrap").classList.contains("hidden")`,
          );
          const options = await page.locator("#device-picker option").evaluateAll((els) =>
            els.map((e) => (e as HTMLOptionElement).value)
          );
          expect(options).toEqual(["sim-1", "sim-2"]);
          await page.selectOption("#device-picker", "sim-2");
          await until(
            page,
            `window.__mw75.deviceId() === "sim-2" && document.getElementById("conn").textContent === "open"`,
          );
          await page.click("#connect");
          await until(page, `document.getElementById("device-state").textContent === "connected"`);
          await tracesMove(page, dir, "sim-2");
          const devices = (await (await fetch(`${server.http}/devices`, {
            headers: { Authorization: `Bearer ${TOKEN}` },
          })).json()) as { devices: Array<{ device_id: string; state: string }> };
          expect(Object.fromEntries(devices.devices.map((d) => [d.device_id, d.state]))).toEqual({
            "sim-1": "idle",
            "sim-2": "connected",
          });

          // record on sim-2, then download a file through the page: it must carry the token
          await recordBriefly(page);
          expect((await fetch(`${server.http}/recordings`)).status).toBe(401);
          const link = page.locator("#recordings a.file", { hasText: "csv" }).first();
          const name = decodeURIComponent(
            (await link.getAttribute("href"))!.replace("/recordings/", ""),
          );
          expect(name).toContain("sim-2");
          const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
          expect(download.suggestedFilename()).toBe(name);
          const saved = readFileSync((await download.path())!);
          const direct = await fetch(`${server.http}/recordings/${encodeURIComponent(name)}`, {
            headers: { Authorization: `Bearer ${TOKEN}` },
          });
          expect(direct.status).toBe(200);
          expect(saved.equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
          expect(saved.length).toBeGreaterThan(1000);
          await page.screenshot({ path: join(dir, "token-picker.png") });
          expect(errors).toEqual([]);
        },
      );
    },
    TIMEOUT,
  );
});
