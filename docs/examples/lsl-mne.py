"""MNE-LSL on the bridge's EEG outlet: a ring buffer with MNE's channel info (docs/lsl.md).

Written from MNE-LSL's documented API (mne_lsl.stream.StreamLSL); not run by us, see docs/lsl.md.
"""
import time

from mne_lsl.stream import StreamLSL

stream = StreamLSL(bufsize=5, name="MW75_EEG", stype="EEG").connect(timeout=10)
print(stream.info)
print(stream.get_channel_types(unique=True))  # REF and DRL are 'misc', Ch1-Ch12 'eeg'
stream.pick("eeg")  # drops REF and DRL
stream.filter(1.0, 40.0)  # causal IIR, applied as samples arrive
time.sleep(5)
data, ts = stream.get_data(winsize=4)  # the last 4 s: (12, 2000) in µV, LSL timestamps
print(data.shape, f"newest sample at {ts[-1]:.3f} (LSL time)")
stream.disconnect()
