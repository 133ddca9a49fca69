/** @module Conformance scenarios of docs/protocol/bridge-api.md §6: several devices per bridge. */
import type { Scenario } from "./scenario.ts";
import { autoconnectAndTeardown } from "./devices-autoconnect-cases.ts";
import { unknownDevicesAndBadParameters } from "./devices-cases.ts";
import { discoveryListingAndFigures } from "./devices-discovery-cases.ts";
import { logsAndMarkersStayOnTheirDevice, recordingsPerDevice } from "./devices-session-cases.ts";
import { linkLossStaysOnItsDevice } from "./devices-link-loss-cases.ts";
import { perDeviceStreams } from "./devices-stream-cases.ts";

export const DEVICES: Scenario[] = [
  [
    "--sim-devices 3: each /devices/<id>/ws gets only its device's data named by device_id, own seq from 0, own values; / is the base protocol with sim-1's samples",
    perDeviceStreams,
    40_000,
  ],
  [
    "a link loss of sim-2 (--autoconnect): sim-2 reconnects with estimated gaps while sim-1 and sim-3 keep every seq at 500/s and hear nothing",
    linkLossStaysOnItsDevice,
    40_000,
  ],
  [
    "unknown or malformed device paths get 404 before the upgrade; UNKNOWN_DEVICE markers, INVALID_PARAMETERS scans and connect_device; the bridge serves on",
    unknownDevicesAndBadParameters,
    30_000,
  ],
  [
    "scan_devices finds the simulated headsets after duration_s; list_devices = GET /devices through connects; connect_device of a known address; /health and /metrics per device",
    discoveryListingAndFigures,
    40_000,
  ],
  [
    "--autoconnect connects every device without clients and keeps it; without it only the device whose last client left is torn down",
    autoconnectAndTeardown,
    40_000,
  ],
  [
    "forwarded logs (connect or set log_level DEBUG) and markers naming a device (WebSocket, POST /markers) stay on that device's sockets",
    logsAndMarkersStayOnTheirDevice,
    30_000,
  ],
  [
    "sim-2 and sim-3 record at once: default names start with the device id, each CSV = its own device's streamed samples by seq",
    recordingsPerDevice,
    40_000,
  ],
];
