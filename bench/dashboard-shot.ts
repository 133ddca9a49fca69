/**
 * @module Takes the dashboard's pictures, run by hand when the page changes (`bun bench/dashboard-shot.ts`):
 * docs/dashboard.png, the whole page on the simulator with ch7 lead-off and a full 10-s plot, and
 * docs/dashboard-quality.png, the quality view on a replay of the metrics tests' capture (tones,
 * mains, lead-off, flat, loose and railed channels: every level and reason).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metricsCaptureBytes } from "../test/_support/metrics-capture.ts";
import { launchChromium, openPage, until } from "../test/_support/browser.ts";
import { startServer } from "../test/_support/server-process.ts";

const OUT = new URL("../docs/dashboard-quality.png", import.meta.url).pathname;
const PAGE_OUT = new URL("../docs/dashboard.png", import.meta.url).pathname;

const sim = await startServer("bun", ["--autoconnect", "--sim-lead-off", "7"]);
const pageBrowser = await launchChromium();
try {
  const { page, errors } = await openPage(pageBrowser, `${sim.http}/`);
  await page.setViewportSize({ width: 1280, height: 900 });
  // 4 metrics messages a second: 44 of them, 2 s of window then 11 s, fill the 10-s plot
  await until(page, "window.__mw75.metricsReceived() >= 44", 60_000);
  await page.screenshot({ path: PAGE_OUT, fullPage: true });
  if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  console.log(`wrote ${PAGE_OUT} (${statSync(PAGE_OUT).size} bytes)`);
} finally {
  await pageBrowser.close();
  sim.kill();
}

const dir = mkdtempSync(join(tmpdir(), "mw75-shot-"));
const capture = join(dir, "metrics.raw");
writeFileSync(capture, metricsCaptureBytes(40));
const server = await startServer("bun", ["--autoconnect", "--source", `replay:${capture}`]);
const browser = await launchChromium();
try {
  const { page, errors } = await openPage(browser, `${server.http}/`);
  // a few messages in, so the REF/DRL readouts and the status line have settled
  await until(page, "window.__mw75.metricsReceived() >= 4", 30_000);
  await page.locator("#quality-view").screenshot({ path: OUT });
  if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  console.log(`wrote ${OUT} (${statSync(OUT).size} bytes)`);
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
