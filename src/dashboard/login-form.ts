/**
 * @module The dashboard's login form (docs/protocol/bridge-api.md §5.2), shown instead of the token field when
 * `/health` says `password_login`: `POST /login` gives a session token, which the page then uses
 * exactly like a typed token; Log out revokes it (`POST /logout`).
 */

/** What the page remembers of a session beside its token (kept in localStorage). */
interface Session {
  username: string;
  role: string;
  /** Unix seconds. */
  expires_at: number;
}

/** The page's side: its current token, and switching to another ("" = anonymous), which reconnects. */
export interface LoginHost {
  token(): string;
  useToken(token: string): void;
}

const SESSION_KEY = "mw75.session";
/** setTimeout's ceiling (about 24.8 days): a longer session is checked again at the next page load. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function storedSession(): Session | null {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) ?? "null") as Session | null;
    return s !== null && typeof s.expires_at === "number" && s.expires_at * 1000 > Date.now()
      ? s
      : null;
  } catch {
    return null;
  }
}

/**
 * The sentence for a refused login: the status says which case, the bridge's message adds detail
 * unless it only repeats the sentence (the bridge's 401 says "Wrong username or password" too). A
 * 429's message is the sentence itself: it tells a locked username from a busy bridge.
 */
function refusal(status: number, message: unknown, retryAfter: string | null): string {
  const said = typeof message === "string" ? message.trim().replace(/\.$/, "") : "";
  const base = status === 401
    ? "Wrong username or password"
    : status === 429
    ? said || "Too many failed logins for this username: wait a minute and try again"
    : status === 400
    ? "The bridge could not read the login"
    : `Login failed: HTTP ${status}`;
  // the address throttle's sentence names its wait already ("try again in N s")
  const wait = status === 429 && /^\d+$/.test(retryAfter ?? "") && !/\bin \d+ s$/.test(base)
    ? ` (retry in ${retryAfter} s)`
    : "";
  const detail = said === "" || base.toLowerCase().includes(said.toLowerCase()) ? "" : ` (${said})`;
  return `${base}${detail}${wait}.`;
}

export class LoginForm {
  #el: (id: string) => HTMLElement;
  #host: LoginHost;
  #session: Session | null;
  #enabled = false;
  #expiry: ReturnType<typeof setTimeout> | null = null;

  constructor(el: (id: string) => HTMLElement, host: LoginHost) {
    this.#el = el;
    this.#host = host;
    // a session belongs to the token it came with: without that token it is stale
    this.#session = host.token() === "" ? null : storedSession();
    el("login-form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      void this.login();
    });
    el("logout").addEventListener("click", () => void this.logout());
    this.#armExpiry();
  }

  /** `/health` said whether the bridge has users (`password_login`). */
  show(passwordLogin: boolean): void {
    this.#enabled = passwordLogin;
    this.#render();
  }

  async login(): Promise<void> {
    const username = (this.#el("login-user") as HTMLInputElement).value.trim();
    const pass = this.#el("login-pass") as HTMLInputElement;
    if (username === "" || pass.value === "") {
      return this.#say("Enter a username and a password.", true);
    }
    this.#say("Logging in…");
    const res = await fetch("/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password: pass.value }),
    }).catch(() => null);
    if (res === null) return this.#say("Login failed: the bridge did not answer.", true);
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status !== 200 || typeof body["token"] !== "string") {
      return this.#say(
        refusal(res.status, body["message"], res.headers.get("Retry-After")),
        true,
      );
    }
    pass.value = "";
    this.#session = {
      username,
      role: String(body["role"]),
      expires_at: Number(body["expires_at"]),
    };
    localStorage.setItem(SESSION_KEY, JSON.stringify(this.#session));
    this.#say("");
    this.#armExpiry();
    this.#host.useToken(body["token"]);
    this.#render();
  }

  async logout(): Promise<void> {
    const token = this.#host.token();
    // anonymous first: the page closes its own socket, so the bridge's revocation (AUTH_FAILED and
    // close 1008 on every socket of the session) finds none and the page reconnects only once
    this.#end("Logged out.");
    if (token === "") return;
    const res = await fetch("/logout", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    }).catch(() => null);
    // 204 revoked it; 401 means it had already ended (expired, a restart); anything else may leave
    // the session alive on the bridge until it expires, which the user should know
    if (res === null || (res.status !== 204 && res.status !== 401)) {
      this.#say(
        `Logged out here, but the bridge did not confirm (${
          res === null ? "no answer" : `HTTP ${res.status}`
        }): the session may last until it expires.`,
        true,
      );
    }
  }

  /** The bridge refused the page's token (AUTH_FAILED): a session that expired or was revoked. */
  refused(): void {
    if (this.#session !== null) {
      this.#end("The session ended (expired or logged out): log in again.");
    }
  }

  #end(message: string): void {
    this.#session = null;
    localStorage.removeItem(SESSION_KEY);
    if (this.#expiry !== null) clearTimeout(this.#expiry);
    this.#host.useToken("");
    this.#say(message, message !== "Logged out.");
    this.#render();
  }

  #armExpiry(): void {
    if (this.#expiry !== null) clearTimeout(this.#expiry);
    const s = this.#session;
    if (s === null) return;
    const ms = s.expires_at * 1000 - Date.now();
    if (ms < MAX_TIMER_MS) this.#expiry = setTimeout(() => this.refused(), Math.max(0, ms));
  }

  #render(): void {
    const s = this.#session;
    this.#el("token-wrap").classList.toggle("hidden", this.#enabled);
    this.#el("login-form").classList.toggle("hidden", !this.#enabled || s !== null);
    this.#el("session-info").classList.toggle("hidden", !this.#enabled || s === null);
    const text = this.#el("session-text");
    text.textContent = s === null
      ? ""
      : `${s.username} · ${s.role} · until ${new Date(s.expires_at * 1000).toLocaleString()}`;
    text.dataset["expiresAt"] = s === null ? "" : String(s.expires_at);
  }

  #say(text: string, error = false): void {
    const el = this.#el("login-message");
    el.textContent = text;
    el.classList.toggle("error", error);
  }
}
