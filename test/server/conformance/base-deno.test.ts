/** @module Conformance: the base protocol (docs/protocol/mw75.md §3): banner, validation, streaming, device faults, client policies, hardening, capture and replay; against `serve` under Deno. */
import { BASE } from "../../_support/conformance/scenarios-base.ts";
import { conformanceSuite } from "../../_support/conformance/scenario.ts";

conformanceSuite(BASE, "deno");
