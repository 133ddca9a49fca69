/** @module Probes of the dashboard page for the browser tests: plot screenshots and "the traces move". */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { until } from "./browser.ts";

/** PNG bytes of the plot canvas, also saved as `dir/name.png` (the screenshots a failure is read from). */
export async function plotShot(page: Page, dir: string, name: string): Promise<Buffer> {
  const png = await page.locator("#plot").screenshot();
  writeFileSync(join(dir, `${name}.png`), png);
  return png;
}

/** The plot moves: more samples arrive and the canvas pixels change between two screenshots. */
export async function tracesMove(page: Page, dir: string, name: string): Promise<void> {
  const before = (await page.evaluate("window.__mw75.samples()")) as number;
  await until(page, `window.__mw75.samples() > ${before + 200}`);
  const a = await plotShot(page, dir, `${name}-a`);
  await page.waitForTimeout(600);
  const b = await plotShot(page, dir, `${name}-b`);
  expect(a.equals(b)).toBe(false);
}

/** Text of an element (empty when missing). */
export async function text(page: Page, id: string): Promise<string> {
  return (await page.locator(`#${id}`).textContent()) ?? "";
}
