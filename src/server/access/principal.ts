/** @module Who a client is, as the access gate decided at the upgrade or by an `auth` message. */
import type { Role } from "../../protocol/permissions.ts";

/** A client's identity: its role and, for a token, the token's name (never the token itself). */
export interface Principal {
  role: Role;
  /** The token's `name` from the auth file, or the username (null for anonymous or an unnamed token). */
  name: string | null;
  /** A user of the auth file (by password or session token): `name` is the username. */
  user?: true;
  /** The id of the login session it authenticated with (its sockets close when that ends). */
  session?: number;
}

/** Everyone is `control` when auth is off (the default on loopback): the base protocol. */
export const OPEN_ACCESS: Principal = { role: "control", name: null };
