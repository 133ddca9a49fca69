/** @module The dashboard page for the browser tests: a page on a live bridge, plot screenshots, "the traces move", a short recording, the quality view as shown. */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { BAND_NAMES, QUALITY_SENTENCES } from "../../src/protocol/metrics.ts";
import type { MetricsData } from "../../src/protocol/metrics.ts";
import { openPage, until } from "./browser.ts";
import { startServer } from "./server-process.ts";
import type { Runtime, ServerProcess } from "./server-process.ts";

/** PNG bytes of the plot canvas, also saved as `dir/name.png` (the screenshots a failure is read from). */
export async function plotShot(page: Page, dir: string, name: string): Promise<Buffer> {
  const png = await page.locator("#plot").screenshot();
  writeFileSync(join(dir, `${name}.png`), png);
  return png;
}

/**
 * The plot moves: more samples arrive and the canvas pixels change between two screenshots. The
 * second shot is retaken every 300 ms until it differs, for 10 s at most: the page redraws on
 * animation frames, which a loaded machine can hold back well past the 600 ms it needs idle.
 */
export async function tracesMove(page: Page, dir: string, name: string): Promise<void> {
  const before = (await page.evaluate("window.__mw75.samples()")) as number;
  await until(page, `window.__mw75.samples() > ${before + 200}`);
  const a = await plotShot(page, dir, `${name}-a`);
  const deadline = Date.now() + 10_000;
  let b = a;
  while (b.equals(a) && Date.now() < deadline) {
    await page.waitForTimeout(300); // poll interval between screenshots, not a readiness wait
    b = await plotShot(page, dir, `${name}-b`);
  }
  expect(a.equals(b)).toBe(false);
}

/** Start, about a second of recording, Stop: waits until the page lists the stopped recording's files. */
export async function recordBriefly(page: Page): Promise<void> {
  await page.click("#rec-start");
  await until(page, `document.getElementById("rec-state").textContent.startsWith("recording")`);
  await page.waitForTimeout(1200); // the scenario: the recording's length (callers check its files)
  await page.click("#rec-stop");
  await until(
    page,
    `document.getElementById("rec-state").textContent === "stopped" && document.querySelectorAll("#recordings a.file").length >= 2`,
  );
}

/** Text of an element (empty when missing). */
export async function text(page: Page, id: string): Promise<string> {
  return (await page.locator(`#${id}`).textContent()) ?? "";
}

/**
 * Starts a bridge under `runtime` with `args`, opens the dashboard at `path` and runs `body` with
 * the page and the console errors it collects; the page is closed and the bridge killed after.
 */
export async function withDashboard(
  browser: Browser,
  runtime: Runtime,
  args: string[],
  path: string,
  body: (page: Page, errors: string[], server: ServerProcess) => Promise<void>,
): Promise<void> {
  const server = await startServer(runtime, args);
  let page: Page | null = null;
  try {
    const opened = await openPage(browser, `${server.http}${path}`);
    page = opened.page;
    await body(page, opened.errors, server);
  } finally {
    await page?.close();
    server.kill();
  }
}

/** One row of the quality view as the page shows it. */
export interface QualityRow {
  ch: number;
  /** The row's `data-quality` (the colour). */
  quality: string;
  /** The level word, RMS, peak and reason cells' text. */
  level: string;
  rms: string;
  peak: string;
  why: string;
  /** The plot label's and the electrode map dot's `data-quality`. */
  label: string | undefined;
  dot: string | undefined;
  /** Computed colours: the table row's and the plot label's left border, the dot's fill. */
  rowColour: string;
  labelColour: string;
  dotColour: string;
}

/** The quality view's rows and the message they were drawn from, read in one page turn so they match. */
export async function qualityView(
  page: Page,
): Promise<{ rows: QualityRow[]; metrics: MetricsData; bands: string[][] }> {
  return (await page.evaluate(`(() => {
    const cell = (tr, cls) => tr.querySelector("." + cls).textContent;
    const rows = [...document.querySelectorAll("#quality tr[data-ch]")].map((tr) => {
      const ch = Number(tr.dataset.ch);
      const label = document.querySelector('#labels div[data-ch="' + ch + '"]');
      const dot = document.querySelector('#electrode-map g[data-ch="' + ch + '"]');
      return {
        ch, quality: tr.dataset.quality, level: cell(tr, "lvl"), rms: cell(tr, "rms"),
        peak: cell(tr, "peak"), why: cell(tr, "why"), label: label?.dataset.quality,
        dot: dot?.dataset.quality,
        rowColour: getComputedStyle(tr.querySelector(".chl")).borderLeftColor,
        labelColour: label ? getComputedStyle(label).borderLeftColor : "",
        dotColour: dot ? getComputedStyle(dot.querySelector("circle")).fill : "",
      };
    });
    const bands = [...document.querySelectorAll("#bands tr[data-ch]")].map((tr) =>
      [...tr.querySelectorAll("td[data-band]")].map((td) => td.textContent)
    );
    return { rows, metrics: window.__mw75.metrics(), bands };
  })()`)) as { rows: QualityRow[]; metrics: MetricsData; bands: string[][] };
}

/** The level colours of page.html (computed-style form). */
export const LEVEL_COLOURS = {
  good: "rgb(35, 128, 74)",
  fair: "rgb(201, 138, 0)",
  poor: "rgb(179, 38, 30)",
  off: "rgb(138, 147, 163)",
} as const;

/**
 * Checks that every row shows what its channel's metrics say: the level as word and colour (table,
 * plot label, map dot), RMS and peak to 0.1, the reason's sentence unless good, and the band table's
 * absolute powers (to the digits shown).
 */
export function expectRowsMatch(
  view: { rows: QualityRow[]; metrics: MetricsData; bands: string[][] },
): void {
  const { rows, metrics, bands } = view;
  expect(rows.map((r) => r.ch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  expect(bands.length).toBe(12);
  for (const r of rows) {
    const c = metrics.channels[`ch${r.ch}`]!;
    expect([r.quality, r.level, r.label, r.dot]).toEqual([
      c.quality,
      c.quality,
      c.quality,
      c.quality,
    ]);
    for (const colour of [r.rowColour, r.labelColour, r.dotColour]) {
      expect(colour).toBe(LEVEL_COLOURS[c.quality]);
    }
    expect(r.rms).toBe(c.rms_uv === null ? "–" : c.rms_uv.toFixed(1));
    expect(r.peak).toBe(c.peak_hz === null ? "–" : c.peak_hz.toFixed(1));
    expect(r.why).toBe(
      c.quality === "good" || c.quality_reason === null ? "" : QUALITY_SENTENCES[c.quality_reason],
    );
    BAND_NAMES.forEach((b, i) => {
      const v = c.band_power[b], shown = bands[r.ch - 1]![i]!;
      if (v === null) expect(shown).toBe("–");
      else {
        // shown rounded to its last digit: within half a unit of it (plus float slack)
        const decimals = shown.split(".")[1]?.length ?? 0;
        expect(Math.abs(Number(shown) - v)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
      }
    });
  }
}
