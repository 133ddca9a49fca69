/** @module The dashboard's headset picker follows the bridge's `devices` announcements in real Chromium: a headset removed by another client leaves the picker without a reload. */
import { describe, expect, test } from "bun:test";
import { haveChromium, until } from "../_support/browser.ts";
import { chromiumForSuite } from "../_support/browser-suite.ts";
import { withDashboard } from "../_support/dashboard-page.ts";
import { connectWs } from "../_support/ws-client.ts";

const pickerValues =
  `[...document.querySelectorAll("#device-picker option")].map((o) => o.value).join(",")`;

describe.skipIf(!haveChromium())("dashboard headset picker", () => {
  const browser = chromiumForSuite();

  test(
    "the headset the page shows is removed: the page falls back to the default device",
    async () => {
      await withDashboard(
        browser(),
        "bun",
        ["--sim-devices", "3", "--max-clients", "4"],
        "/?device=sim-3",
        async (page, errors, server) => {
          await until(page, `window.__mw75.deviceId() === "sim-3"`);
          await until(page, `document.getElementById("conn").textContent === "open"`);
          const other = await connectWs(`${server.ws}/`);
          try {
            await other.request("remove_device", { device_id: "sim-3" }, 15_000);
            // closed 1001 "device removed": the page reopens on / instead of retrying a gone socket
            await until(page, `window.__mw75.deviceId() === null`);
            await until(page, `document.getElementById("conn").textContent === "open"`);
            await until(page, `${pickerValues} === "sim-1,sim-2"`);
          } finally {
            other.close();
          }
          expect(errors).toEqual([]);
        },
      );
    },
    60_000,
  );

  test("remove_device from another client: the picker drops the headset at once", async () => {
    await withDashboard(
      browser(),
      "bun",
      ["--sim-devices", "3", "--max-clients", "4"],
      "/",
      async (page, errors, server) => {
        await until(page, `${pickerValues} === "sim-1,sim-2,sim-3"`);
        const other = await connectWs(`${server.ws}/`);
        try {
          const ack = await other.request("remove_device", { device_id: "sim-3" }, 15_000);
          expect(ack.type).toBe("command_ack");
          // the page re-reads /devices on the announcement; it does not poll, so without the
          // `devices` listener this waits out its deadline (the helper's default) and fails
          await until(page, `${pickerValues} === "sim-1,sim-2"`);
        } finally {
          other.close();
        }
        expect(errors).toEqual([]);
      },
    );
  }, 60_000);
});
