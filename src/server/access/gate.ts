/**
 * @module The one access gate in front of admission and dispatch (docs/protocol/bridge-api.md §5): who a new
 * socket is (from its upgrade request), what an `auth` message makes of it, and whether a
 * principal may send a command. A token is a static one or a login session's (§5.2). Auth is off
 * when no token and no user is configured: everyone is `control`.
 */
import type { AuthResultData } from "../../protocol/messages.ts";
import { isContractCommand, permissionsOf, permits } from "../../protocol/permissions.ts";
import type { Role } from "../../protocol/permissions.ts";
import type { Principal } from "./principal.ts";
import { OPEN_ACCESS } from "./principal.ts";
import type { TokenTable } from "./tokens.ts";
import type { Logins } from "./logins.ts";
import type { Session, SessionStore } from "./sessions.ts";

/** The token of an `Authorization: Bearer <token>` header (scheme in any case); undefined otherwise. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
}

/** The subprotocol prefix that carries a token (browsers cannot set an Authorization header). */
export const BEARER_PROTOCOL = "mw75.bearer.";
/** The subprotocol that announces a first-message `auth`. */
export const AUTH_PROTOCOL = "mw75.auth";
/** How long a client that announced a first-message `auth` has to send it. */
export const AUTH_DEADLINE_MS = 10_000;

/** What the gate made of an upgrade request. */
export interface Admission {
  principal: Principal;
  /** A token was presented and is not valid: the socket gets AUTH_FAILED and is closed (1008). */
  failed: boolean;
  /** The client announced `auth` by message: it must authenticate within AUTH_DEADLINE_MS. */
  awaitsAuth: boolean;
}

/** The headers of an upgrade the gate reads. */
export interface UpgradeCredentials {
  authorization: string | undefined;
  /** `Sec-WebSocket-Protocol`, comma-separated. */
  protocols: string | undefined;
}

/** Password logins and their sessions (docs/protocol/bridge-api.md §5.2), when the auth file lists users. */
export interface PasswordAccess {
  logins: Logins;
  sessions: SessionStore;
}

export class AccessGate {
  #tokens: TokenTable;
  #passwords: PasswordAccess | null;

  constructor(tokens: TokenTable, passwords: PasswordAccess | null = null) {
    this.#tokens = tokens;
    this.#passwords = passwords;
  }

  get authEnabled(): boolean {
    return this.#tokens.enabled || this.passwordLogin;
  }

  /** True when users may log in with a password (`/health.password_login`). */
  get passwordLogin(): boolean {
    return this.#passwords?.logins.enabled ?? false;
  }

  /** The logins and sessions, or null without users. */
  get passwords(): PasswordAccess | null {
    return this.passwordLogin ? this.#passwords : null;
  }

  /** Decides who a new socket is, from its upgrade headers. */
  admit(c: UpgradeCredentials): Admission {
    if (!this.authEnabled) {
      return { principal: { ...OPEN_ACCESS }, failed: false, awaitsAuth: false };
    }
    const protocols = (c.protocols ?? "").split(",").map((p) => p.trim()).filter((p) => p !== "");
    const bearer = bearerToken(c.authorization);
    const fromProtocol = protocols.find((p) => p.startsWith(BEARER_PROTOCOL))?.slice(
      BEARER_PROTOCOL.length,
    );
    const token = bearer ?? fromProtocol;
    if (token !== undefined) {
      const principal = this.#lookup(token);
      return principal === null
        ? { principal: anonymous(), failed: true, awaitsAuth: false }
        : { principal, failed: false, awaitsAuth: false };
    }
    return { principal: anonymous(), failed: false, awaitsAuth: protocols.includes(AUTH_PROTOCOL) };
  }

  /** The principal an `auth {token}` message earns, or null for a bad one. */
  authenticate(token: unknown): Principal | null {
    if (!this.authEnabled) return { ...OPEN_ACCESS };
    return typeof token === "string" ? this.#lookup(token) : null;
  }

  /** A static token's principal, else a live session's. */
  #lookup(token: string): Principal | null {
    const principal = this.#tokens.lookup(token);
    if (principal !== null) return principal;
    const session = this.passwords?.sessions.lookup(token) ?? null;
    return session === null ? null : sessionPrincipal(session);
  }

  /** True when `principal` may send `command` (a contract command this version lacks included). */
  allows(principal: Principal, command: string): boolean {
    return permits(principal.role, command);
  }

  /** True when the gate should answer PERMISSION_DENIED rather than UNKNOWN_COMMAND. */
  deniesUnknown(principal: Principal, type: unknown): boolean {
    return isContractCommand(type) && !permits(principal.role, type);
  }

  /** `auth_result` data for a principal; `available` keeps the commands this server implements. */
  authResult(
    principal: Principal,
    available: (command: string) => boolean,
  ): AuthResultData {
    return {
      authenticated: this.authEnabled,
      role: principal.role,
      permissions: permissionsOf(principal.role).filter(available),
    };
  }

  /** The PERMISSION_DENIED text for `command`. */
  static deniedText(command: string, role: Role): string {
    const need = permits("observe", command) ? "an observe or control token" : "a control token";
    return `Permission denied: ${command} needs ${need} (this client is ${
      role === "anonymous" ? "anonymous" : `an ${role} client`
    })`;
  }
}

/** Who a session's sockets are: its user's role, named by the username, tied to the session. */
export function sessionPrincipal(session: Session): Principal {
  return { role: session.role, name: session.username, user: true, session: session.id };
}

function anonymous(): Principal {
  return { role: "anonymous", name: null };
}
