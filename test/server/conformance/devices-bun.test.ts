/** @module Conformance: docs/protocol/bridge-api.md §6: several devices per bridge; against `serve` under Bun. */
import { DEVICES } from "../../_support/conformance/scenarios-devices.ts";
import { conformanceSuite } from "../../_support/conformance/scenario.ts";

conformanceSuite(DEVICES, "bun");
