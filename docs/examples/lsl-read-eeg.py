"""Reads the bridge's EEG outlet with pylsl: the stream's metadata, then 2 s of samples (docs/lsl.md)."""
import sys

import numpy as np
from pylsl import StreamInlet, local_clock, resolve_bypred

name = sys.argv[1] if len(sys.argv) > 1 else "MW75_EEG"
streams = resolve_bypred(f"name='{name}' and type='EEG'", minimum=1, timeout=10.0)
if not streams:
    sys.exit(f"no EEG stream named {name}: see 'Streams not found' in docs/lsl.md")
inlet = StreamInlet(streams[0])
info = inlet.info(timeout=5.0)  # the full info, with the desc metadata
ch = info.desc().child("channels").child("channel")
labels, types = [], []
for _ in range(info.channel_count()):
    labels.append(ch.child_value("label"))
    types.append(ch.child_value("type"))
    ch = ch.next_sibling()
acq = info.desc().child("acquisition")
print(f"{info.name()} {info.type()} {info.channel_count()} ch @ {info.nominal_srate():g} Hz"
      f" source_id {info.source_id()} on {info.hostname()}")
print("channels:", " ".join(f"{lab}({typ})" for lab, typ in zip(labels, types)))
print("unit:", info.desc().child("channels").child("channel").child_value("unit"),
      "| synthetic:", acq.child_value("synthetic"), "| model:", acq.child_value("model"))

chunks, stamps = [], []
end = local_clock() + 2.0
while local_clock() < end:
    data, ts = inlet.pull_chunk(timeout=0.5)
    chunks.extend(data)
    stamps.extend(ts)
x, t = np.asarray(chunks), np.asarray(stamps)
print(f"{len(t)} samples; Ch1 mean {x[:, 2].mean():.1f} µV;"
      f" step {np.diff(t).mean() * 1000:.3f} ms (max deviation {np.abs(np.diff(t) - 0.002).max() * 1e6:.1f} µs);"
      f" last sample {(local_clock() - t[-1]) * 1000:.0f} ms old;"
      f" time correction {inlet.time_correction(timeout=5.0) * 1000:.3f} ms")
