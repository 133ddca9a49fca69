/** @module The no-data watchdog of a connected link, the only one (a source bounds silence through DeviceSource.noDataTimeoutMs): a silent link counts as dropped; quiet ticks log stream figures. */
import type { Clock, TimerHandle } from "./clock.ts";

/** What the watchdog needs from its session. */
export interface LinkWatchdogOptions {
  clock: Clock;
  /** Silence longer than this (ms) ends the link. */
  limitMs: number;
  /** When the last chunk arrived (clock ms). */
  lastData(): number;
  /** Called once the link has been silent for `silentMs`; the watchdog keeps ticking until stopped. */
  onSilent(silentMs: number): void;
  /** Called every `statsEveryMs` while data flows (the DEBUG stream-figures line). */
  onStatsDue(): void;
  statsEveryMs: number;
}

/** Starts ticking (a quarter of the limit, 10–250 ms) and returns the stop function. */
export function startLinkWatchdog(o: LinkWatchdogOptions): () => void {
  const tick = Math.max(10, Math.min(250, o.limitMs / 4));
  let lastStats = o.clock.now();
  const timer: TimerHandle = o.clock.setInterval(() => {
    const now = o.clock.now();
    const silent = now - o.lastData();
    if (silent > o.limitMs) {
      o.onSilent(silent);
    } else if (now - lastStats >= o.statsEveryMs) {
      lastStats = now;
      o.onStatsDue();
    }
  }, tick);
  return () => o.clock.clearInterval(timer);
}
