/**
 * @module The dashboard's log view: the bridge's `log` messages (docs/protocol/mw75.md §3.10) at or
 * above the level picked, newest first, coloured by level. The picker filters on the page; the
 * bridge forwards from the level the last `connect` asked for, which the page's Connect takes from
 * this picker (docs/dashboard.md "Log").
 */

export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The lines kept, of every level, so that lowering the picker shows again what was hidden. */
const MAX_LINES = 200;
const STORAGE_KEY = "mw75.logLevel";

/** A `log` message's data as the bridge sends it. */
export interface LogLine {
  level: string;
  message: string;
  logger: string;
  timestamp: number;
}

function rank(level: string): number {
  const i = (LOG_LEVELS as readonly string[]).indexOf(level.toUpperCase());
  return i < 0 ? LOG_LEVELS.length : i; // an unknown level (a later bridge's) is never hidden
}

function asLevel(value: string | null): LogLevel | null {
  return (LOG_LEVELS as readonly string[]).includes(value ?? "") ? (value as LogLevel) : null;
}

/**
 * The text after the bridge's own `HH:MM:SS - logger - LEVEL - ` prefix: the view shows time and
 * level in columns of their own, with milliseconds from `timestamp`.
 */
function bareText(line: LogLine): string {
  const prefix = ` - ${line.logger} - ${line.level} - `;
  const at = line.message.indexOf(prefix);
  return at >= 0 && at <= 8 ? line.message.slice(at + prefix.length) : line.message;
}

export class LogView {
  #lines: LogLine[] = []; // newest first
  #list: HTMLElement;
  #picker: HTMLSelectElement;
  #hint: HTMLElement;
  #forwarding: string | null = null;
  level: LogLevel;

  constructor(el: (id: string) => HTMLElement) {
    this.#list = el("log");
    this.#picker = el("log-level") as HTMLSelectElement;
    this.#hint = el("log-forwarding");
    this.level = asLevel(localStorage.getItem(STORAGE_KEY)) ?? "INFO";
    this.#picker.value = this.level;
    this.#picker.addEventListener("change", () => {
      this.level = asLevel(this.#picker.value) ?? "INFO";
      localStorage.setItem(STORAGE_KEY, this.level);
      this.#render();
      this.#showHint();
    });
    this.#showHint();
  }

  /** Lines shown now (tests read it). */
  get shown(): number {
    return this.#list.childElementCount;
  }

  /** A `log` message arrived. */
  add(line: LogLine): void {
    this.#lines.unshift(line);
    if (this.#lines.length > MAX_LINES) this.#lines.length = MAX_LINES;
    if (rank(line.level) < rank(this.level)) return;
    this.#list.prepend(this.#item(line));
    while (this.#list.childElementCount > MAX_LINES) this.#list.lastElementChild?.remove();
  }

  /** The level the bridge forwards at, as a connect ack, a status reply or a settings message said. */
  forwarding(level: string | null): void {
    this.#forwarding = level;
    this.#showHint();
  }

  #render(): void {
    const min = rank(this.level);
    this.#list.replaceChildren(
      ...this.#lines.filter((l) => rank(l.level) >= min).map((l) => this.#item(l)),
    );
  }

  #item(line: LogLine): HTMLLIElement {
    const li = document.createElement("li");
    li.dataset["level"] = line.level.toUpperCase();
    const time = new Date(line.timestamp * 1000).toISOString().slice(11, 23);
    const lvl = document.createElement("b");
    lvl.textContent = line.level.toUpperCase();
    li.append(`${time} `, lvl, ` ${line.logger}: ${bareText(line)}`);
    li.title = line.message;
    return li;
  }

  #showHint(): void {
    const f = this.#forwarding;
    this.#hint.textContent = f === null
      ? "(the bridge forwards logs once the headset is connected)"
      : rank(f) > rank(this.level)
      ? `(the bridge forwards ${f} and above, as the last connect asked: Disconnect and Connect for ${this.level})`
      : `(the bridge forwards ${f} and above)`;
  }
}
