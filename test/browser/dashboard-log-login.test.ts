/**
 * @module The dashboard's log view, ±10 mV scale and login form in real Chromium: log lines from a
 * live bridge under each runtime at the level picked, the plot's scale from the select, and the
 * login form against a stubbed /health, /login and /logout over a bridge with a static token.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page, Route } from "playwright-core";
import { haveChromium, until } from "../_support/browser.ts";
import { chromiumForSuite } from "../_support/browser-suite.ts";
import { tracesMove, withDashboard } from "../_support/dashboard-page.ts";
import { RUNTIMES } from "../_support/server-process.ts";

const TIMEOUT = 90_000;
const TOKEN = "dashboard-login-token-91c2";
const dir = mkdtempSync(join(tmpdir(), "mw75-dashboard-log-login-"));

/** The log view's lines as shown: level and text. */
function logLines(page: Page): Promise<Array<{ level: string; text: string }>> {
  return page.locator("#log li").evaluateAll((els) =>
    els.map((e) => ({ level: (e as HTMLElement).dataset["level"]!, text: e.textContent ?? "" }))
  );
}

/**
 * Page script: per plot row, how many pixel rows hold trace colour (#1f5fa8: blue well above red;
 * the grid and the lead-off shading are grey and red), summed over the 12 rows: the traces' height.
 */
const TRACE_HEIGHT = `(() => {
  const c = document.getElementById("plot");
  const { data, width, height } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
  let rows = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (data[i + 2] - data[i] > 60 && data[i + 3] > 128) { rows++; break; }
    }
  }
  return rows;
})()`;

/**
 * A stub of the users side (§5.2) over the real bridge: its /health with password_login. A /health
 * still in flight when the page reloads or closes is disposed under the handler: nobody waits for
 * it (a /health the page needs and never gets fails the test's next wait instead).
 */
async function withPasswordLogin(route: Route): Promise<void> {
  try {
    const real = await route.fetch();
    await route.fulfill({ response: real, json: { ...(await real.json()), password_login: true } });
  } catch (e) {
    if (!/disposed|has been closed/.test(String(e))) throw e;
  }
}

describe.skipIf(!haveChromium())("dashboard log view, scale and login in Chromium", () => {
  const browser = chromiumForSuite(() => console.log(`dashboard screenshots: ${dir}`));

  test.each([...RUNTIMES])(
    "%s bridge: Connect at INFO shows the bridge's INFO log line, ERROR hides it; the 10 mV scale flattens the traces",
    async (runtime) => {
      await withDashboard(browser(), runtime, [], "/", async (page, errors) => {
        await until(page, `document.getElementById("conn").textContent === "open"`);
        await page.selectOption("#log-level", "INFO");
        await page.click("#connect");
        // the bridge logs "Client … took control" at INFO right after taking the connect's level
        await until(
          page,
          `[...document.querySelectorAll("#log li")].some((li) => li.dataset.level === "INFO" && li.textContent.includes("took control"))`,
        );
        expect(await page.locator("#log-forwarding").textContent()).toContain("INFO and above");
        const info = await logLines(page);
        expect(info.every((l) => ["INFO", "WARNING", "ERROR"].includes(l.level))).toBe(true);
        expect(info.find((l) => l.text.includes("took control"))!.text).toMatch(
          /^\d\d:\d\d:\d\d\.\d{3} INFO \S+: Client .* took control \(auto_reconnect=true, log_level=INFO\)$/,
        );
        await page.selectOption("#log-level", "ERROR");
        expect((await logLines(page)).filter((l) => l.level !== "ERROR")).toEqual([]);
        expect(await page.evaluate(`localStorage.getItem("mw75.logLevel")`)).toBe("ERROR");
        await page.selectOption("#log-level", "INFO"); // kept lines come back
        expect((await logLines(page)).some((l) => l.text.includes("took control"))).toBe(true);

        // scale: the traces' height on the canvas at ±200 µV and at ±10 mV (50× less gain)
        await until(page, `document.getElementById("device-state").textContent === "connected"`);
        await tracesMove(page, dir, `scale-200-${runtime}`);
        await page.evaluate("window.__mw75.drawForced()");
        const at200 = (await page.evaluate(TRACE_HEIGHT)) as number;
        const labels = await page.locator("#scale option").allTextContents();
        expect(labels.slice(-3)).toEqual(["2 mV", "5 mV", "10 mV"]);
        await page.selectOption("#scale", "10000");
        expect(await page.evaluate("window.__mw75.scaleUv()")).toBe(10_000);
        await page.evaluate("window.__mw75.drawForced()");
        const at10mV = (await page.evaluate(TRACE_HEIGHT)) as number;
        console.log(`${runtime}: trace height ${at200} px at ±200 µV, ${at10mV} px at ±10 mV`);
        // the simulator's tens of µV fill several pixel rows per channel at ±200 µV; at ±10 mV each
        // trace is a near-flat line (1–3 pixel rows with anti-aliasing)
        expect(at200).toBeGreaterThan(at10mV * 2);
        expect(at10mV).toBeLessThanOrEqual(12 * 3);
        await page.screenshot({ path: join(dir, `log-scale-${runtime}.png`) });
        expect(errors).toEqual([]);
      });
    },
    TIMEOUT,
  );

  test.each([...RUNTIMES])(
    "%s bridge: the login form only with password_login; it posts the credentials, shows 401 and 429, uses the token, logs out",
    async (runtime) => {
      await withDashboard(browser(), runtime, ["--token", TOKEN], "/", async (page, errors) => {
        // without password_login (this bridge's /health has none): the token field, no form
        await until(page, `document.getElementById("conn").textContent === "open"`);
        expect(await page.locator("#token-wrap").isVisible()).toBe(true);
        expect(await page.locator("#login-form").isVisible()).toBe(false);

        // a stub of the users side (§5.2) over the real bridge: /health gains password_login
        const logins: unknown[] = [];
        const logouts: Array<string | undefined> = [];
        await page.route("**/health", withPasswordLogin);
        const expiresAt = Math.floor(Date.now() / 1000) + 3600;
        await page.route("**/login", async (route: Route) => {
          const body = route.request().postDataJSON() as { username: string; password: string };
          logins.push(body);
          if (body.password === "locked") {
            // the bridge's wording (src/server/access/login-routes.ts) and its Retry-After
            return route.fulfill({
              status: 429,
              headers: { "Retry-After": "42" },
              json: {
                code: "RATE_LIMITED",
                message: "Too many failed logins for this username: wait a minute",
              },
            });
          }
          if (body.password === "throttled") {
            // the address allowance's wording: its sentence already names the wait
            return route.fulfill({
              status: 429,
              headers: { "Retry-After": "7" },
              json: {
                code: "RATE_LIMITED",
                message: "Too many logins from this address: try again in 7 s",
              },
            });
          }
          if (body.password !== "right") {
            return route.fulfill({
              status: 401,
              json: { code: "AUTH_FAILED", message: "Invalid credentials" },
            });
          }
          await route.fulfill({
            status: 200,
            json: { token: TOKEN, role: "control", expires_at: expiresAt },
          });
        });
        await page.route("**/logout", async (route: Route) => {
          logouts.push(route.request().headers()["authorization"]);
          await route.fulfill({ status: 204, body: "" });
        });
        await page.reload();
        await until(page, `!document.getElementById("login-form").classList.contains("hidden")`);
        expect(await page.locator("#token-wrap").isVisible()).toBe(false);

        await page.fill("#login-user", "alice");
        await page.fill("#login-pass", "wrong");
        await page.click("#login-submit");
        await until(page, `document.getElementById("login-message").textContent.includes("Wrong")`);
        expect(await page.locator("#login-message").textContent()).toBe(
          "Wrong username or password (Invalid credentials).",
        );
        expect(await page.locator("#login-message").getAttribute("class")).toBe("error");
        await page.fill("#login-pass", "locked");
        await page.click("#login-submit");
        await until(
          page,
          `document.getElementById("login-message").textContent.includes("Too many")`,
        );
        expect(await page.locator("#login-message").textContent()).toBe(
          "Too many failed logins for this username: wait a minute (retry in 42 s).",
        );
        await page.fill("#login-pass", "throttled");
        await page.click("#login-submit");
        await until(
          page,
          `document.getElementById("login-message").textContent.includes("this address")`,
        );
        expect(await page.locator("#login-message").textContent()).toBe(
          "Too many logins from this address: try again in 7 s.",
        );
        expect(await page.evaluate(`localStorage.getItem("mw75.token")`)).toBeNull();

        await page.fill("#login-pass", "right");
        await page.click("#login-submit");
        await until(page, `!document.getElementById("session-info").classList.contains("hidden")`);
        expect(logins).toEqual([
          { username: "alice", password: "wrong" },
          { username: "alice", password: "locked" },
          { username: "alice", password: "throttled" },
          { username: "alice", password: "right" },
        ]);
        expect(await page.locator("#session-text").textContent()).toContain(
          "alice · control · until",
        );
        expect(await page.locator("#session-text").getAttribute("data-expires-at")).toBe(
          String(expiresAt),
        );
        expect(await page.locator("#login-message").textContent()).toBe("");
        expect(await page.evaluate(`localStorage.getItem("mw75.token")`)).toBe(TOKEN);
        // the page reconnected with the session token: the bridge grants control (anonymous: PERMISSION_DENIED)
        await until(page, `document.getElementById("conn").textContent === "open"`);
        await page.click("#connect");
        await until(page, `document.getElementById("device-state").textContent === "connected"`);
        expect(await page.locator("#ack").getAttribute("class")).toBe("");
        await page.screenshot({ path: join(dir, `login-${runtime}.png`) });

        // the page goes anonymous first and then posts /logout: wait for the stub's answer
        const loggedOut = page.waitForResponse((r) => r.url().endsWith("/logout"));
        await page.click("#logout");
        await until(page, `!document.getElementById("login-form").classList.contains("hidden")`);
        expect((await loggedOut).status()).toBe(204);
        expect(logouts).toEqual([`Bearer ${TOKEN}`]);
        expect(await page.evaluate(`localStorage.getItem("mw75.token")`)).toBe("");
        await until(page, `document.getElementById("conn").textContent === "open"`);
        await page.click("#disconnect");
        await until(
          page,
          `document.getElementById("ack").textContent.includes("PERMISSION_DENIED")`,
        );
        // Chromium logs every refused fetch; the three refusals the test provoked are the only errors
        const tooMany =
          "console: Failed to load resource: the server responded with a status of 429 (Too Many Requests)";
        expect(errors).toEqual([
          "console: Failed to load resource: the server responded with a status of 401 (Unauthorized)",
          tooMany,
          tooMany,
        ]);
      });
    },
    TIMEOUT,
  );
  test(
    "a session token the bridge refuses (expired, revoked) brings the login form back",
    async () => {
      await withDashboard(browser(), "bun", ["--token", TOKEN], "/", async (page, errors) => {
        await page.route("**/health", withPasswordLogin);
        // a session the bridge does not know stands for one that expired or was revoked meanwhile
        await page.route("**/login", (route: Route) =>
          route.fulfill({
            status: 200,
            json: { token: "ended-session", role: "observe", expires_at: Date.now() / 1000 + 60 },
          }));
        await page.reload();
        await until(page, `!document.getElementById("login-form").classList.contains("hidden")`);
        await page.fill("#login-user", "bob");
        await page.fill("#login-pass", "secret");
        await page.click("#login-submit");
        // the bridge answers the socket AUTH_FAILED and closes it; the page forgets the session
        await until(
          page,
          `document.getElementById("login-message").textContent.startsWith("The session ended")`,
        );
        expect(await page.locator("#login-form").isVisible()).toBe(true);
        expect(await page.locator("#session-info").isVisible()).toBe(false);
        expect(await page.evaluate(`localStorage.getItem("mw75.session")`)).toBeNull();
        expect(await page.evaluate(`localStorage.getItem("mw75.token")`)).toBe("");
        await until(page, `document.getElementById("conn").textContent === "open"`); // anonymous again
        expect(errors).toEqual([]);
      });
    },
    TIMEOUT,
  );
});
