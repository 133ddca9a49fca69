/** @module Debian's Chromium driven by playwright-core (no browser download) for the dashboard tests and bench, with console errors collected. */
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

export const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** Whether the browser is installed (`.ci/run` installs Debian's `chromium`). */
export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Launches headless Chromium from CHROMIUM. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu"],
    headless: true,
  });
}

/** A page with a 1400×900 viewport and the console errors and page errors it produced. */
export async function openPage(
  browser: Browser,
  url: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, errors };
}

/**
 * Waits (bounded) until `probe` in the page returns a truthy value. The 15-s default covers the
 * page's readiness steps (socket open, headset connected, a redraw), each ≤ ~2 s idle: over 7×.
 */
export async function until(page: Page, probe: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(probe, undefined, { timeout: timeoutMs, polling: 100 });
}
