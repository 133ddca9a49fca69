/** @module MQTT broker outages (frozen, 3-s and 12-s restarts) against `serve` under Node; the suite is in test/_support/mqtt/outage-suite.ts. */
import { outageSuite } from "../_support/mqtt/outage-suite.ts";

outageSuite("node");
