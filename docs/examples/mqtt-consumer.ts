/** @module The MQTT consumer of docs/mqtt.md: every bridge's EEG frames, decoded with the client SDK's frame decoder. */
import mqtt from "mqtt";
import { batchFromFrame } from "../../src/client/mod.ts"; // the package's "./client" entry

const prefix = process.argv[3] ?? "mw75";
const client = mqtt.connect(process.argv[2] ?? "mqtt://127.0.0.1:1883");
const topics = ["+/status", "+/+/state", "+/+/eeg", "+/+/events"];
client.subscribe(topics.map((topic) => `${prefix}/${topic}`), { qos: 1 });
client.on("message", (topic, payload) => {
  const [bridge, device, kind] = topic.slice(prefix.length + 1).split("/");
  if (kind === "eeg") {
    const b = batchFromFrame(new Uint8Array(payload));
    const [at, ch1] = [b.timestamps[0]?.toFixed(3), b.channels.get(1)?.[0]?.toFixed(1)];
    console.log(`${bridge}/${device} eeg seq ${b.firstSeq}..${b.lastSeq} at ${at} ch1 ${ch1} µV`);
  } else if (device === "status") {
    console.log(`${bridge} status ${payload.toString()}`); // {"online": false} is the bridge's last will
  } else {
    console.log(`${bridge}/${device} ${kind} ${payload.toString()}`);
  }
});
