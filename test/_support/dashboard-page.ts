/** @module The dashboard page for the browser tests: a page on a live bridge, plot screenshots, "the traces move", a short recording. */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
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
