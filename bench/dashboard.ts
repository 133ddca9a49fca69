/** @module Frame time of the dashboard plot in Chromium: 10 s window at 500 Hz × 12 channels, redrawn every animation frame for 5 s (bun bench/dashboard.ts). */
import { launchChromium, openPage, until } from "../test/_support/browser.ts";
import { startServer } from "../test/_support/server-process.ts";

const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 5);

/** In the page: redraw on every animation frame for `seconds`, timing the draw alone and the draw plus a 1-pixel readback (forces rasterisation). */
const MEASURE = `(async (seconds) => {
  const m = window.__mw75, ctx = document.getElementById("plot").getContext("2d");
  const draw = [], flushed = [], intervals = [];
  let last = performance.now();
  const end = last + seconds * 1000;
  await new Promise((done) => {
    const frame = (now) => {
      intervals.push(now - last); last = now;
      const t0 = performance.now(); m.drawForced(); const t1 = performance.now();
      ctx.getImageData(0, 0, 1, 1); const t2 = performance.now();
      draw.push(t1 - t0); flushed.push(t2 - t0);
      if (now < end) requestAnimationFrame(frame); else done();
    };
    requestAnimationFrame(frame);
  });
  const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
  const p95 = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * 0.95)]; };
  return { frames: draw.length, drawMedian: med(draw), drawP95: p95(draw), flushedMedian: med(flushed), flushedP95: p95(flushed), intervalMedian: med(intervals),
    canvas: [document.getElementById("plot").width, document.getElementById("plot").height], samples: m.samples() };
})(${SECONDS})`;

const server = await startServer("bun", ["--autoconnect"]);
const browser = await launchChromium();
try {
  const { page, errors } = await openPage(browser, `${server.http}/?decimate=1`);
  // fill the 10 s window at the full 500 Hz
  await until(page, "window.__mw75.samples() >= 5000", 20_000);
  const r = (await page.evaluate(MEASURE)) as Record<string, number | number[]>;
  const f = (x: unknown) => (x as number).toFixed(2);
  console.log(
    `dashboard frame time (Chromium ${browser.version()}, headless, software canvas; canvas ${
      (r["canvas"] as number[]).join("×")
    } px, 12 ch × 5000 samples in the window):`,
  );
  console.log(
    `  frames ${r["frames"]} in ${SECONDS} s, frame interval median ${f(r["intervalMedian"])} ms`,
  );
  console.log(`  draw        median ${f(r["drawMedian"])} ms, p95 ${f(r["drawP95"])} ms`);
  console.log(
    `  draw+raster median ${f(r["flushedMedian"])} ms, p95 ${
      f(r["flushedP95"])
    } ms (1-pixel getImageData forces the canvas to rasterise)`,
  );
  if (errors.length > 0) console.log(`  page errors: ${errors.join("; ")}`);
} finally {
  await browser.close();
  server.kill();
}
