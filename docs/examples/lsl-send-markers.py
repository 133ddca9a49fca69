"""A stimulus script's marker outlet, as PsychoPy's LSL markers make it: one string channel, irregular rate (docs/lsl.md)."""
import time

from pylsl import StreamInfo, StreamOutlet, local_clock

info = StreamInfo("Stimuli", "Markers", 1, 0, "string", "my-experiment-markers")
outlet = StreamOutlet(info)
while not outlet.wait_for_consumers(timeout=1.0):  # wait until the bridge (or LabRecorder) reads it
    print("waiting for a reader …")
for trial in range(5):
    time.sleep(0.5)
    onset = local_clock()  # in PsychoPy: win.callOnFlip(outlet.push_sample, ["stim"]) stamps the flip
    outlet.push_sample([f"stimulus/{trial}"], onset)
    print(f"sent stimulus/{trial} at {onset:.4f}")
time.sleep(1.0)  # let the last marker leave before the outlet closes
