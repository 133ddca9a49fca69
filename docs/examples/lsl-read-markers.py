"""Prints the markers of the bridge's marker outlet with pylsl, each with its LSL timestamp (docs/lsl.md)."""
import sys

from pylsl import StreamInlet, resolve_bypred

name = sys.argv[1] if len(sys.argv) > 1 else "MW75_EEG_Markers"
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
streams = resolve_bypred(f"name='{name}'", minimum=1, timeout=10.0)
if not streams:
    sys.exit(f"no stream named {name}")
inlet = StreamInlet(streams[0])
inlet.open_stream(timeout=5.0)
print("reading", name, flush=True)
while True:
    sample, ts = inlet.pull_sample(timeout=seconds)
    if sample is None:
        break
    print(f"{ts:.4f} {sample[0]}", flush=True)
